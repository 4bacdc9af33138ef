package dev.fusion.operators.align;

import static dev.fusion.operators.align.AlignTestSupport.record;
import static dev.fusion.operators.TestStreams.TEXT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.fusion.operators.records.RoutedRecord;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The pooling rule for several records of one modality in one window. */
class ModalityPoolTest {

    @Test
    void passesASingleRecordThroughBitForBit() {
        float[] embedding = {0.1f, -3.4e38f, Float.MIN_VALUE, -0f};
        RoutedRecord only = record(TEXT, "t1", "e1", 0, -0.3f, embedding);

        ModalityPool pool = ModalityPool.of(List.of(only));

        assertThat(pool.embedding()).containsExactly(embedding);
        assertThat(Float.floatToRawIntBits(pool.embedding()[3]))
                .isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(pool.gateLogit()).isEqualTo(-0.3f);
    }

    @Test
    void equalGatesGiveThePlainMeanExactly() {
        ModalityPool pool = ModalityPool.of(List.of(
                record(TEXT, "t1", "e1", 0, 0f, 1f, 3f),
                record(TEXT, "t2", "e1", 0, 0f, 3f, 5f)));

        assertThat(pool.embedding()).containsExactly(2f, 4f);
        assertThat(pool.gateLogit()).isEqualTo(0f);
    }

    @Test
    void aSingleRecordsEmbeddingIsHandedOutAsACopy() {
        RoutedRecord only = record(TEXT, "t1", "e1", 0, 0f, 1f, 2f);
        ModalityPool pool = ModalityPool.of(List.of(only));

        pool.embedding()[0] = 9f;
        float[] handedOut = pool.embedding();
        handedOut[1] = 9f;

        assertThat(only.embedding).containsExactly(1f, 2f);
        assertThat(pool.embedding()).containsExactly(1f, 2f);
        assertThat(handedOut).isNotSameAs(only.embedding);
    }

    @Test
    void weighsEachEmbeddingByItsGateAndKeepsTheLargestLogit() {
        float ln3 = (float) Math.log(3);
        ModalityPool pool = ModalityPool.of(List.of(
                record(TEXT, "t1", "e1", 0, 0f, 1f, 0f),
                record(TEXT, "t2", "e1", 0, ln3, 0f, 1f)));

        // sigmoid(0) = 0.5, sigmoid(ln 3) = 0.75 up to float rounding of ln 3: tolerance 1e-6.
        assertThat(pool.embedding()).containsExactly(new float[] {0.4f, 0.6f}, within(1e-6f));
        assertThat(pool.gateLogit()).isEqualTo(ln3);
    }

    @Test
    void resultDoesNotDependOnRecordOrder() {
        // 1e20 + 1 - 1e20 is 0 or 1 in double depending on the order of the sum.
        RoutedRecord a = record(TEXT, "a", "e1", 0, 0.3f, 1e20f, 0.7f);
        RoutedRecord b = record(TEXT, "b", "e1", 0, -1.7f, 1f, 0.3f);
        RoutedRecord c = record(TEXT, "c", "e1", 0, 0.3f, -1e20f, 1e-7f);
        float[] expected = ModalityPool.of(List.of(a, b, c)).embedding();

        for (List<RoutedRecord> order : List.of(List.of(a, c, b), List.of(b, a, c),
                List.of(b, c, a), List.of(c, a, b), List.of(c, b, a))) {
            assertThat(ModalityPool.of(order).embedding()).as(order.toString())
                    .containsExactly(expected);
        }
    }

    @Test
    void weighsEquallyWhenEveryGateUnderflows() {
        ModalityPool pool = ModalityPool.of(List.of(
                record(TEXT, "t1", "e1", 0, -1000f, 1f, 3f),
                record(TEXT, "t2", "e1", 0, -2000f, 3f, 5f)));

        assertThat(pool.embedding()).containsExactly(2f, 4f);
        assertThat(pool.gateLogit()).isEqualTo(-1000f);
    }

    @Test
    void rejectsNoRecordsAndMixedDimensions() {
        assertThatThrownBy(() -> ModalityPool.of(List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no records");
        assertThatThrownBy(() -> ModalityPool.of(List.of(
                record(TEXT, "t1", "e1", 0, 0f, 1f, 2f),
                record(TEXT, "t2", "e1", 0, 0f, 1f))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cannot pool t2: embedding has 1 values, t1 has 2");
    }
}
