package dev.bulwark.resilience.circuitbreaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.resilience.circuitbreaker.Window.Thresholds;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

/** The count window finds a record's slot without dividing; it must be the remainder exactly. */
class CountWindowPositionTest {

  private static final Thresholds ANY = new Thresholds(50, 100, 1);

  @Property
  void theSlotOfASequenceNumberIsItsRemainderModuloTheSize(
      @ForAll @IntRange(min = 1, max = CountWindow.MAX_SIZE) int size,
      @ForAll @LongRange(min = 0, max = Integer.MAX_VALUE) long sequence) {
    assertThat(new CountWindow(size, ANY).positionOf(sequence)).isEqualTo((int) (sequence % size));
  }

  @Test
  void theSlotIsExactAtTheEndsOfTheSequenceRange() {
    for (int size : new int[] {1, 2, 3, 7, 100, 1_000, 65_534, CountWindow.MAX_SIZE}) {
      CountWindow window = new CountWindow(size, ANY);
      long modulus = size * ((1L << 31) / size);
      for (long sequence :
          new long[] {
            0, 1, size - 1L, size, size + 1L, modulus - size, modulus - 1, (1L << 31) - 1
          }) {
        assertThat(window.positionOf(sequence))
            .as("%d mod %d", sequence, size)
            .isEqualTo((int) (sequence % size));
      }
    }
  }
}
