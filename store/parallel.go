package store

import "sync"

// Parallel runs independent read-only steps of one report at the same
// time on the reader pool and returns the first error. A report's
// queries each walk a different index; run one after another a year of
// the whole company's figures waits on the sum of them, side by side on
// the cores it waits on the longest (the CPU spent is the same).
func Parallel(steps ...func() error) error {
	errs := make([]error, len(steps))
	var wg sync.WaitGroup
	for i, step := range steps {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = step()
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// periodSlices cuts [start, end) into n consecutive ranges (the last ones
// may be empty) for reading a long period in parts side by side.
func periodSlices(start, end int64, n int) [][2]int64 {
	out := make([][2]int64, n)
	span := (end - start + int64(n) - 1) / int64(n)
	for i := range out {
		lo := min(start+int64(i)*span, end)
		out[i] = [2]int64{lo, min(lo+span, end)}
	}
	return out
}

// eachSlice runs read over each [lo, hi) slice side by side (an empty
// slice is not read) and returns the parts in the slices' order: the
// pattern of every report that reads a long period, or a long id range,
// in parts.
func eachSlice[T any](slices [][2]int64, read func(lo, hi int64) ([]T, error)) ([][]T, error) {
	parts := make([][]T, len(slices))
	steps := make([]func() error, len(slices))
	for i, b := range slices {
		steps[i] = func() (err error) {
			if b[0] < b[1] {
				parts[i], err = read(b[0], b[1])
			}
			return err
		}
	}
	return parts, Parallel(steps...)
}
