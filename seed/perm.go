package seed

import "math/bits"

// perm is a keyed bijection of [0, n). It mixes x inside the smallest
// power-of-two domain 2^k ≥ n with invertible steps (xor with a constant,
// multiplication by an odd constant and addition modulo 2^k, xorshift), and
// walks the cycle until the value falls back into [0, n) ("cycle walking"),
// which keeps it a bijection of [0, n). Since n > 2^(k-1), fewer than two
// steps are needed on average.
type perm struct {
	n     uint64
	mask  uint64
	shift uint
	k     [6]uint64
}

// newPerm returns a bijection of [0, n) keyed by key. n must be positive.
func newPerm(n, key uint64) perm {
	if n == 0 {
		panic("seed: empty permutation domain")
	}
	k := uint(bits.Len64(n - 1))
	if k < 2 {
		k = 2
	}
	p := perm{n: n, mask: 1<<k - 1, shift: (k + 1) / 2}
	s := key
	for i := range p.k {
		p.k[i] = splitmix(&s) & p.mask
	}
	// Multipliers must be odd to be invertible modulo 2^k.
	p.k[1] |= 1
	p.k[4] |= 1
	return p
}

// mix is one invertible pass over [0, 2^k).
func (p *perm) mix(x uint64) uint64 {
	m := p.mask
	x ^= p.k[0]
	x = (x * p.k[1]) & m
	x ^= x >> p.shift
	x = (x + p.k[2]) & m
	x ^= p.k[3]
	x = (x * p.k[4]) & m
	x ^= x >> p.shift
	x = (x + p.k[5]) & m
	x = (x * 0x9E3779B97F4A7C15) & m
	x ^= x >> p.shift
	return x
}

// apply maps x in [0, n) to its image in [0, n).
func (p *perm) apply(x uint64) uint64 {
	for {
		x = p.mix(x)
		if x < p.n {
			return x
		}
	}
}

// splitmix advances *s and returns the next SplitMix64 output. It derives
// keys from the seed without touching the Gen's random stream.
func splitmix(s *uint64) uint64 {
	*s += 0x9E3779B97F4A7C15
	return mix64(*s)
}

// mix64 is the SplitMix64 finaliser, a bijective 64-bit hash.
func mix64(z uint64) uint64 {
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
	z = (z ^ (z >> 27)) * 0x94D049BB133111EB
	return z ^ (z >> 31)
}
