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
