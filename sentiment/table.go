package sentiment

import "encoding/binary"

// table is an open-addressing hash table from lowercased terms to entries.
// It beats a Go map on the hot path because the tokenizer computes each
// word's FNV-1a hash while lowercasing it, and because a slot holds the entry
// and the first eight key bytes, so most lookups touch one cache line.
type table struct {
	slots []slot
	mask  uint32
	keys  []byte // keys longer than eight bytes
}

type slot struct {
	hash uint32
	n    uint16 // key length; 0 marks an empty slot
	off  uint32 // offset of a long key in keys
	head uint64 // first eight key bytes, little endian, zero padded
	e    entry
}

const (
	fnvOffset uint32 = 2166136261
	fnvPrime  uint32 = 16777619
)

func fnv(b []byte) uint32 {
	h := fnvOffset
	for _, c := range b {
		h = (h ^ uint32(c)) * fnvPrime
	}
	return h
}

func head8(b []byte) uint64 {
	if len(b) >= 8 {
		return binary.LittleEndian.Uint64(b)
	}
	var buf [8]byte
	copy(buf[:], b)
	return binary.LittleEndian.Uint64(buf[:])
}

func newTable(m map[string]entry) *table {
	size := uint32(16)
	for size < uint32(len(m))*2 {
		size <<= 1
	}
	t := &table{slots: make([]slot, size), mask: size - 1}
	for k, e := range m {
		if k == "" || len(k) > 0xffff {
			continue
		}
		b := []byte(k)
		h := fnv(b)
		i := h & t.mask
		for t.slots[i].n != 0 {
			i = (i + 1) & t.mask
		}
		sl := slot{hash: h, n: uint16(len(b)), head: head8(b), e: e}
		if len(b) > 8 {
			sl.off = uint32(len(t.keys))
			t.keys = append(t.keys, b...)
		}
		t.slots[i] = sl
	}
	return t
}

// get looks up key, whose FNV-1a hash is h.
func (t *table) get(key []byte, h uint32) (entry, bool) {
	if len(key) == 0 {
		return entry{}, false
	}
	i := h & t.mask
	for {
		s := &t.slots[i]
		if s.n == 0 {
			return entry{}, false
		}
		if s.hash == h && int(s.n) == len(key) && s.head == head8(key) &&
			(len(key) <= 8 || string(t.keys[s.off:s.off+uint32(s.n)]) == string(key)) {
			return s.e, true
		}
		i = (i + 1) & t.mask
	}
}

func (t *table) lookup(key []byte) (entry, bool) { return t.get(key, fnv(key)) }
