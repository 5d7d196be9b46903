package archive

import (
	"bufio"
	"bytes"
	"container/heap"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// runLimit is how many bytes of index lines are held and sorted in memory at
// once. A file's index is sorted when the file closes; a 1 GiB file of small
// pages has some 250,000 captures, about 95 MB of lines, which the writer used
// to hold from the file's first record to its last. Past runLimit the lines are
// sorted in runs on disk and merged.
const runLimit = 8 << 20

// indexSorter collects the index lines of one WARC file and writes them sorted.
type indexSorter struct {
	dir, warc string // the WARC file's directory and closed name
	limit     int
	lines     [][]byte
	size      int
	runs      []string // sorted runs spilled to disk
	err       error    // a spill that failed: finish reports it
}

func newIndexSorter(dir, warcName string) *indexSorter {
	return &indexSorter{dir: dir, warc: warcName, limit: runLimit}
}

// add takes one line, newline included.
func (s *indexSorter) add(line []byte) {
	s.lines = append(s.lines, line)
	s.size += len(line) + 24 // the slice header too
	if s.size >= s.limit && s.err == nil {
		s.err = s.spill()
	}
}

// spill writes the lines held as one sorted run.
func (s *indexSorter) spill() error {
	slices.SortFunc(s.lines, bytes.Compare)
	// Named like the index's own temporary file, so that Open clears what a
	// crash leaves behind.
	pattern := strings.TrimSuffix(indexName(s.warc), cdxjExt) + ".run*" + cdxjExt + ".tmp"
	f, err := os.CreateTemp(s.dir, pattern)
	if err != nil {
		return fmt.Errorf("index run: %w", err)
	}
	s.runs = append(s.runs, f.Name())
	// A run is not synced: after a crash it is thrown away, not read.
	if err := writeLines(f, s.lines, false); err != nil {
		return fmt.Errorf("index run %s: %w", f.Name(), err)
	}
	s.lines, s.size = nil, 0
	return nil
}

// finish writes the sorted index of the file atomically and drops the runs.
func (s *indexSorter) finish() error {
	defer s.discard()
	if s.err != nil {
		return s.err
	}
	final := filepath.Join(s.dir, indexName(s.warc))
	tmp := final + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	if len(s.runs) == 0 {
		slices.SortFunc(s.lines, bytes.Compare)
		err = writeLines(f, s.lines, true)
	} else {
		if len(s.lines) > 0 {
			if err := s.spill(); err != nil {
				f.Close()
				os.Remove(tmp)
				return err
			}
		}
		err = errors.Join(mergeRuns(f, s.runs), f.Sync(), f.Close())
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, final)
}

// discard removes the runs on disk.
func (s *indexSorter) discard() {
	for _, r := range s.runs {
		os.Remove(r)
	}
	s.runs, s.lines = nil, nil
}

// writeLines writes lines to f and closes it, syncing it first if asked.
func writeLines(f *os.File, lines [][]byte, sync bool) error {
	bw := bufio.NewWriterSize(f, 1<<20)
	for _, l := range lines {
		bw.Write(l)
	}
	err := bw.Flush()
	if sync && err == nil {
		err = f.Sync()
	}
	return errors.Join(err, f.Close())
}

// mergeRuns writes the lines of the sorted runs to w, in order.
func mergeRuns(w io.Writer, runs []string) error {
	h := make(runHeap, 0, len(runs))
	for _, r := range runs {
		f, err := os.Open(r)
		if err != nil {
			return err
		}
		defer f.Close()
		c := &runCursor{r: bufio.NewReaderSize(f, 64<<10)}
		if err := c.next(); err != nil {
			return fmt.Errorf("read run %s: %w", r, err)
		}
		if c.line != nil {
			h = append(h, c)
		}
	}
	heap.Init(&h)
	bw := bufio.NewWriterSize(w, 1<<20)
	for len(h) > 0 {
		c := h[0]
		bw.Write(c.line)
		if err := c.next(); err != nil {
			return fmt.Errorf("read run: %w", err)
		}
		if c.line == nil {
			heap.Pop(&h)
		} else {
			heap.Fix(&h, 0)
		}
	}
	return bw.Flush()
}

type runCursor struct {
	r    *bufio.Reader
	line []byte // the current line, newline included; nil at the end
}

func (c *runCursor) next() error {
	line, err := c.r.ReadBytes('\n')
	if err != nil && err != io.EOF {
		return err
	}
	if len(line) == 0 {
		line = nil
	}
	c.line = line
	return nil
}

type runHeap []*runCursor

func (h runHeap) Len() int           { return len(h) }
func (h runHeap) Less(i, j int) bool { return bytes.Compare(h[i].line, h[j].line) < 0 }
func (h runHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *runHeap) Push(x any)        { *h = append(*h, x.(*runCursor)) }
func (h *runHeap) Pop() any {
	old := *h
	c := old[len(old)-1]
	*h = old[:len(old)-1]
	return c
}
