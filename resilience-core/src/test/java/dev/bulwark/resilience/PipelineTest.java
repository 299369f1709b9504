package dev.bulwark.resilience;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PipelineTest {

  private final List<String> trace = new ArrayList<>();

  /** A policy that writes when it enters and leaves. */
  private final class Recording implements Policy {
    private final String name;

    Recording(String name) {
      this.name = name;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public <T, X extends Exception> T call(Call<T, X> call) throws X {
      trace.add("enter " + name);
      try {
        return call.call();
      } finally {
        trace.add("leave " + name);
      }
    }
  }

  @Test
  void runsThePoliciesOutermostFirst() throws Exception {
    Pipeline pipeline = Pipeline.of(new Recording("a"), new Recording("b"), new Recording("c"));

    String result =
        pipeline.call(
            () -> {
              trace.add("call");
              return "done";
            });

    assertThat(result).isEqualTo("done");
    assertThat(trace)
        .containsExactly("enter a", "enter b", "enter c", "call", "leave c", "leave b", "leave a");
  }

  @Test
  void aSinglePolicyPipelineCallsItDirectly() {
    Pipeline pipeline = Pipeline.of(new Recording("only"));

    pipeline.run(() -> trace.add("call"));

    assertThat(trace).containsExactly("enter only", "call", "leave only");
  }

  @Test
  void checkedExceptionPassesThroughUnchanged() {
    Pipeline pipeline = Pipeline.of(new Recording("a"), new Recording("b"));
    IOException failure = new IOException("disk");

    assertThatThrownBy(
            () ->
                pipeline.call(
                    () -> {
                      throw failure;
                    }))
        .isSameAs(failure);
    assertThat(trace).containsExactly("enter a", "enter b", "leave b", "leave a");
  }

  @Test
  void namesAndListsItsPolicies() {
    Recording a = new Recording("a");
    Recording b = new Recording("b");
    Pipeline pipeline = Pipeline.of(a, b);

    assertThat(pipeline.name()).isEqualTo("pipeline(a, b)");
    assertThat(pipeline).hasToString("pipeline(a, b)");
    assertThat(pipeline.policies()).containsExactly(a, b);
  }

  @Test
  void copiesTheArraySoLaterChangesDoNotLeakIn() throws Exception {
    Policy[] policies = {new Recording("a"), new Recording("b")};
    Pipeline pipeline = Pipeline.of(policies);
    policies[0] = new Recording("changed");

    pipeline.call(() -> 1);

    assertThat(trace.getFirst()).isEqualTo("enter a");
  }

  @Test
  void rejectsBadInput() {
    assertThatThrownBy(() -> Pipeline.of())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("policies must name at least one policy, was none");
    assertThatThrownBy(() -> Pipeline.of((Policy[]) null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policies");
    assertThatThrownBy(() -> Pipeline.of(new Recording("a"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("policies[1]");
    assertThatThrownBy(() -> Pipeline.of(new Recording("a")).call(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("call");
  }
}
