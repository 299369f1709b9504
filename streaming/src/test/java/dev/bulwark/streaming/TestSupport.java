package dev.bulwark.streaming;

import dev.bulwark.resilience.Call;
import dev.bulwark.resilience.Permit;
import dev.bulwark.resilience.PermitPolicy;
import dev.bulwark.resilience.RejectedException;
import java.io.Serial;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** Small fakes and helpers shared by the streaming tests. */
final class TestSupport {

  private TestSupport() {}

  /** A source of a list that counts its closes. */
  static final class CountingSource<T> implements ChunkSource<T> {
    private final ChunkSource<T> delegate;
    final AtomicInteger closes = new AtomicInteger();

    CountingSource(ChunkSource<T> delegate) {
      this.delegate = delegate;
    }

    @Override
    public Poll<T> poll(Duration timeout) throws Exception {
      return delegate.poll(timeout);
    }

    @Override
    public void close() {
      closes.incrementAndGet();
      delegate.close();
    }
  }

  /** A refusal from the fake guard. */
  static final class FakeRejection extends RejectedException {
    @Serial private static final long serialVersionUID = 1L;

    FakeRejection(String name) {
      super(name, Duration.ofSeconds(1), "guard '" + name + "' is full; try again in 1s");
    }
  }

  /** A permit policy that records what each permit heard. */
  static final class FakeGuard implements PermitPolicy {
    final List<String> outcomes = new CopyOnWriteArrayList<>();
    final AtomicInteger acquired = new AtomicInteger();
    final AtomicInteger released = new AtomicInteger();
    volatile boolean refuse;

    @Override
    public String name() {
      return "fake";
    }

    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      return call.call();
    }

    @Override
    public Permit acquirePermit() {
      if (refuse) {
        throw new FakeRejection(name());
      }
      acquired.incrementAndGet();
      return new Permit() {
        private final List<String> heard = new ArrayList<>();

        @Override
        public void onSuccess() {
          if (heard.isEmpty()) {
            heard.add("success");
            outcomes.add("success");
          }
        }

        @Override
        public void onFailure(Throwable failure) {
          if (heard.isEmpty()) {
            heard.add("failure");
            outcomes.add("failure:" + failure.getClass().getSimpleName());
          }
        }

        @Override
        public void close() {
          if (heard.isEmpty()) {
            heard.add("closed");
            outcomes.add("closed");
          }
          released.incrementAndGet();
        }
      };
    }
  }
}
