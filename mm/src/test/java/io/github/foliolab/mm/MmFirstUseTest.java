package io.github.foliolab.mm;

import io.github.foliolab.folio.Machine;
import io.github.foliolab.lru.Vmscan;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReferenceArray;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

/** Racing first uses of Mm.of see the one instance the build attached, and reclaim's rmap is that one's. */
class MmFirstUseTest {
    @Test
    void racingFirstUseInstallsTheKeptInstance() throws Exception {
        for (int round = 0; round < 50; round++) {
            Machine m = Machine.boot(2, 1024, 0);
            CountDownLatch go = new CountDownLatch(1);
            AtomicReferenceArray<Mm> seen = new AtomicReferenceArray<>(4);
            Thread[] ts = new Thread[4];
            for (int i = 0; i < ts.length; i++) {
                int k = i;
                ts[i] = Thread.ofPlatform().start(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    seen.set(k, Mm.of(m));
                });
            }
            go.countDown();
            for (Thread t : ts) t.join(10_000);
            for (Thread t : ts) assertFalse(t.isAlive(), "a first-use thread did not finish in 10 s");
            Mm kept = Mm.of(m);
            for (int i = 0; i < ts.length; i++) assertSame(kept, seen.get(i));
            assertSame(kept.rmapWalk(), Vmscan.of(m).rmapOps());
            m.close();
        }
    }
}
