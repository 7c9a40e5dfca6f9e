package dev.gantry.translate;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.gantry.model.Kinds;
import dev.gantry.model.ObjectKey;
import dev.gantry.view.Dependency;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Reads counted by their users, and the delta the dependency index learns, read by read or after a full start. */
class ReadLedgerTest {

    private static Dependency read(String name) {
        return Dependency.object(Kinds.SERVICE, new ObjectKey("apps", name));
    }

    @Test
    void aReadCountsUntilItsLastUserIsGoneAndAReadGoneAndBackIsNoChange() {
        ReadLedger ledger = new ReadLedger();
        ledger.count(read("a"));
        ledger.count(read("a"));
        ledger.count(read("b"));
        assertEquals(new ReadLedger.Delta(Set.of(read("a"), read("b")), Set.of()), ledger.finish());

        ledger.uncount(read("a"));
        assertEquals(new ReadLedger.Delta(Set.of(), Set.of()), ledger.finish(), "a has another user");
        ledger.uncount(read("a"));
        ledger.uncount(read("b"));
        ledger.count(read("b"));
        assertEquals(new ReadLedger.Delta(Set.of(), Set.of(read("a"))), ledger.finish());
        assertEquals(Set.of(read("b")), ledger.reads());
        ledger.uncount(read("never"));
        assertEquals(new ReadLedger.Delta(Set.of(), Set.of()), ledger.finish());
    }

    @Test
    void aFullTranslationComparesWithTheReadsBefore() {
        ReadLedger ledger = new ReadLedger();
        ledger.count(read("kept"));
        ledger.count(read("dropped"));
        ledger.finish();

        ledger.startFull();
        ledger.reserve(2);
        ledger.count(read("kept"));
        ledger.count(read("new"));
        assertEquals(new ReadLedger.Delta(Set.of(read("new")), Set.of(read("dropped"))), ledger.finish());
        ledger.uncount(read("new"));
        assertEquals(new ReadLedger.Delta(Set.of(), Set.of(read("new"))), ledger.finish(), "read by read again");
    }
}
