package feature

import "slices"

// automaton is an Aho–Corasick automaton over normalised text bytes, built
// once per taxonomy. Its transition table is dense over the byte classes that
// occur in terms, so each text byte costs one table load whatever the
// taxonomy size; bytes that occur in no term share class 0.
type automaton struct {
	class  [256]uint16
	nclass int
	// delta maps row+class to the next state's row, where a state's row
	// is state*nclass; the row is stored complemented (negative) when the
	// next state has outputs, so the hot loop tests one sign bit.
	delta    []int32
	outStart []int32  // outputs of state s are outs[outStart[s]:outStart[s+1]]
	outs     []output // including those inherited through failure links
}

// output is a phrase that ends in a state.
type output struct {
	length int32 // bytes of the phrase
	rule   int32 // index into Tagger.rules
	seg    int16 // segment of the rule
	prefix bool  // the phrase may end inside a word
}

type buildNode struct {
	next map[byte]int32
	outs []output
}

// buildAutomaton compiles phrases with their outputs.
func buildAutomaton(phrases [][]byte, outs []output) *automaton {
	a := &automaton{}
	nodes := []buildNode{{next: map[byte]int32{}}}
	for i, p := range phrases {
		s := int32(0)
		for _, b := range p {
			if a.class[b] == 0 {
				a.nclass++
				a.class[b] = uint16(a.nclass)
			}
			n, ok := nodes[s].next[b]
			if !ok {
				n = int32(len(nodes))
				nodes = append(nodes, buildNode{next: map[byte]int32{}})
				nodes[s].next[b] = n
			}
			s = n
		}
		dup := false
		for _, o := range nodes[s].outs {
			if o == outs[i] {
				dup = true
				break
			}
		}
		if !dup {
			nodes[s].outs = append(nodes[s].outs, outs[i])
		}
	}
	a.nclass++ // class 0
	nc := a.nclass
	// Number states breadth-first so that the shallow states, where most
	// text bytes land, share a few cache lines at the start of delta.
	order := make([]int32, 0, len(nodes)) // new id → old id
	id := make([]int32, len(nodes))       // old id → new id
	order = append(order, 0)
	for i := 0; i < len(order); i++ {
		for _, n := range sortedChildren(nodes[order[i]].next) {
			id[n] = int32(len(order))
			order = append(order, n)
		}
	}
	renum := make([]buildNode, len(nodes))
	for newID, old := range order {
		next := make(map[byte]int32, len(nodes[old].next))
		for b, n := range nodes[old].next {
			next[b] = id[n]
		}
		renum[newID] = buildNode{next: next, outs: nodes[old].outs}
	}
	nodes = renum

	a.delta = make([]int32, len(nodes)*nc)
	fail := make([]int32, len(nodes))
	merged := make([][]output, len(nodes))
	// In breadth-first order a state's failure target is finished before it.
	for s := range int32(len(nodes)) {
		f := fail[s]
		if s > 0 {
			merged[s] = append(append([]output(nil), nodes[s].outs...), merged[f]...)
			// Transitions default to the failure state's.
			copy(a.delta[int(s)*nc:int(s+1)*nc], a.delta[int(f)*nc:int(f+1)*nc])
		}
		for b, n := range nodes[s].next {
			c := int(a.class[b])
			if s > 0 {
				fail[n] = a.delta[int(f)*nc+c]
			}
			a.delta[int(s)*nc+c] = n
		}
	}
	a.outStart = make([]int32, len(nodes)+1)
	for s := range nodes {
		a.outStart[s] = int32(len(a.outs))
		a.outs = append(a.outs, merged[s]...)
	}
	a.outStart[len(nodes)] = int32(len(a.outs))
	for i, next := range a.delta {
		row := next * int32(nc)
		if a.outStart[next] != a.outStart[next+1] {
			row = ^row
		}
		a.delta[i] = row
	}
	return a
}

func sortedChildren(next map[byte]int32) []int32 {
	bs := make([]int, 0, len(next))
	for b := range next {
		bs = append(bs, int(b))
	}
	slices.Sort(bs)
	out := make([]int32, len(bs))
	for i, b := range bs {
		out[i] = next[byte(b)]
	}
	return out
}
