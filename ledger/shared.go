package ledger

import (
	"context"
	"errors"
	"hash/fnv"
	"maps"
	"slices"
)

// ErrContended says that a shared writer (Store.WriteShared) needed a partner that
// another writer holds while it held one already: rather than wait, and risk waiting
// for a writer that waits for it, it gives up; its caller reruns the work in an
// exclusive writer.
var ErrContended = errors.New("another writer holds a partner this transaction needs")

// IsContended tells whether err ended a shared writer because of another writer
// beside it: ErrContended, a deadlock PostgreSQL broke, or a UNIQUE key the other
// writer inserted first (two files holding the same bank booking). The work is sound
// and should be rerun alone (Store.Write), where any error that is its own comes back.
func IsContended(err error) bool {
	return errors.Is(err, ErrContended) || pgCode(err) == "40P01" || IsUnique(err)
}

// WriteShared is Write for work that touches one or a few partners' rows only, the
// ingest of a bank statement or notification: on PostgreSQL it takes the writer lock
// in share mode, so that workers on several hosts write the files of different
// partners at the same time, and fn must call LockPartner for every partner whose
// rows it reads to decide or writes (their wallets, accounts, payments, bank
// entries), before it does. Exclusive writers (Write: batches, resets, imports)
// still run alone. A shared writer numbers the rows of its tables from their
// sequences (NextID, ReserveIDs): ids keep their order within a transaction but not
// across transactions committed side by side. On SQLite it is Write.
func (s *Store) WriteShared(ctx context.Context, fn func(w *Writer) error) error {
	return s.write(ctx, true, fn)
}

// partnerLockClass is the first key of the partners' advisory locks, whose second is
// a hash of the partner key (the writer lock has a one-part key of its own).
const partnerLockClass = 741326

// LockPartner claims partner (the empty key stands for rows of no partner) until
// the transaction ends, in a shared writer; in any other it does nothing, the
// writer lock being exclusive. The first partner is waited for as the writer lock
// is (Store.WriterWait); a further one that another writer holds is not waited for:
// LockPartner returns ErrContended.
func (w *Writer) LockPartner(partner string) error {
	if !w.shared || w.partners[partner] {
		return nil
	}
	h := fnv.New32a()
	h.Write([]byte(partner))
	key := int32(h.Sum32())
	if len(w.partners) == 0 {
		if err := lockWaiting(w.ctx, w.tx, w.store.WriterWait, `SELECT pg_advisory_xact_lock(?, ?)`, partnerLockClass, key); err != nil {
			return err
		}
	} else {
		var ok bool
		if err := w.tx.GetContext(w.ctx, &ok, `SELECT pg_try_advisory_xact_lock(?, ?)`, partnerLockClass, key); err != nil {
			return err
		}
		if !ok {
			return ErrContended
		}
	}
	if w.partners == nil {
		w.partners = map[string]bool{}
	}
	w.partners[partner] = true
	return nil
}

// ReserveIDs returns n ids for new rows of table. An exclusive writer gets MAX(id) + 1
// and the n - 1 after it, to be inserted before the next reservation; a shared writer
// gets n consecutive values of the table's sequence, which no other writer gets.
func ReserveIDs(w *Writer, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	var first int64
	var err error
	if w.shared {
		first, err = w.reserve(table, n)
	} else {
		first, err = NextID(w, table)
	}
	if err != nil {
		return nil, err
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = first + int64(i)
	}
	return ids, nil
}

// reserve moves the sequence of table past n ids and returns the first, on a
// connection of its own (migration 0018's settle_reserve_ids takes a lock for the
// length of its statement, which must not last as long as the writer's transaction).
// The sequence does not go back if the transaction rolls back: the ids are lost.
// All the shared writers' ids are reserved here, and no exclusive writer runs beside
// them, so the blocks never overlap.
func (w *Writer) reserve(table string, n int) (int64, error) {
	var first int64
	err := w.store.ldb.GetContext(w.ctx, &first, `SELECT settle_reserve_ids(?, ?)`, table, n)
	return first, err
}

// syncSequences brings the sequence of every table this exclusive PostgreSQL writer
// numbered itself (NextID) past its largest id, so that a shared writer's next id
// is new. It never moves a sequence back.
func (w *Writer) syncSequences() error {
	for _, t := range slices.Sorted(maps.Keys(w.numbered)) {
		if _, err := w.tx.ExecContext(w.ctx, `SELECT setval(pg_get_serial_sequence(?, 'id'), GREATEST(
			nextval(pg_get_serial_sequence(?, 'id')), (SELECT COALESCE(MAX(id), 0) + 1 FROM `+t+`)), false)`, t, t); err != nil {
			return err
		}
	}
	clear(w.numbered)
	return nil
}
