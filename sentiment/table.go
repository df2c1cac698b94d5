package sentiment

import "encoding/binary"

// table is an open-addressing hash table from lowercased terms to entries.
// It beats a Go map on the hot path: a small Bloom filter rejects most
// absent words from L1 cache, and a slot holds the entry and the first eight
// key bytes, so most hits touch one cache line. Tokens keep their hash for
// phrase matching.
type table struct {
	bloom []uint64 // 2^16-bit filter with two bits per key: most absent words stop here, in L1
	tags  []uint32 // hash|1 of each slot, 0 when empty: a compact array probed first
	slots []slot
	mask  uint32
	keys  []byte // keys longer than eight bytes
}

type slot struct {
	hash uint32
	n    uint16 // key length; 0 marks an empty slot
	off  uint32 // offset of a long key in keys
	head uint64 // load(key): the whole key when it is at most eight bytes
	e    entry
}

// load returns a fingerprint of b: its first eight bytes, or for shorter
// slices a combination of overlapping loads that still determines every
// byte, so two keys of equal length up to eight bytes are equal exactly when
// their fingerprints are.
func load(b []byte) uint64 {
	switch n := len(b); {
	case n >= 8:
		return binary.LittleEndian.Uint64(b)
	case n >= 4:
		return uint64(binary.LittleEndian.Uint32(b)) | uint64(binary.LittleEndian.Uint32(b[n-4:]))<<32
	case n > 0:
		return uint64(b[0]) | uint64(b[n>>1])<<8 | uint64(b[n-1])<<16
	}
	return 0
}

// hashKey hashes a lowercased term eight bytes at a time, so a short word
// costs one multiplication.
func hashKey(b []byte) uint32 {
	h := (load(b) ^ uint64(len(b))*0x9E3779B97F4A7C15) * 0xBF58476D1CE4E5B9
	for len(b) > 8 {
		b = b[8:]
		h = (h ^ h>>31 ^ load(b)) * 0x94D049BB133111EB
	}
	h ^= h >> 29
	return uint32(h ^ h>>32)
}

func newTable(m map[string]entry) *table {
	size := uint32(16)
	for size < uint32(len(m))*2 {
		size <<= 1
	}
	t := &table{bloom: make([]uint64, 1<<16/64), tags: make([]uint32, size), slots: make([]slot, size), mask: size - 1}
	for k, e := range m {
		if k == "" || len(k) > 0xffff {
			continue
		}
		b := []byte(k)
		h := hashKey(b)
		i := h & t.mask
		for t.slots[i].n != 0 {
			i = (i + 1) & t.mask
		}
		sl := slot{hash: h, n: uint16(len(b)), head: load(b), e: e}
		if len(b) > 8 {
			sl.off = uint32(len(t.keys))
			t.keys = append(t.keys, b...)
		}
		t.slots[i] = sl
		t.tags[i] = h | 1
		b1, b2 := bloomBits(h)
		t.bloom[b1>>6] |= 1 << (b1 & 63)
		t.bloom[b2>>6] |= 1 << (b2 & 63)
	}
	return t
}

// zeroEntry is the entry of unknown words. It is never written.
var zeroEntry entry

// getp returns the entry of key, whose hashKey is h, or nil. The entry
// belongs to the table and must not be modified.
func (t *table) getp(key []byte, h uint32) *entry {
	if len(key) == 0 {
		return nil
	}
	if b1, b2 := bloomBits(h); t.bloom[b1>>6]&(1<<(b1&63)) == 0 || t.bloom[b2>>6]&(1<<(b2&63)) == 0 {
		return nil
	}
	head := load(key)
	i, tag := h&t.mask, h|1
	for {
		switch t.tags[i] {
		case 0:
			return nil
		case tag:
			s := &t.slots[i]
			if s.hash == h && int(s.n) == len(key) && s.head == head &&
				(len(key) <= 8 || string(t.keys[s.off:s.off+uint32(s.n)]) == string(key)) {
				return &s.e
			}
		}
		i = (i + 1) & t.mask
	}
}

// get looks up key, whose hashKey is h.
func (t *table) get(key []byte, h uint32) (entry, bool) {
	if e := t.getp(key, h); e != nil {
		return *e, true
	}
	return entry{}, false
}

// bloomBits derives the filter's two bit positions from the high bits of a
// hash (the slot index uses the low bits).
func bloomBits(h uint32) (uint32, uint32) {
	m := h * 0x9E3779B1
	return h >> 16, m >> 16
}

func (t *table) lookup(key []byte) (entry, bool) { return t.get(key, hashKey(key)) }
