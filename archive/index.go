package archive

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// Index reads the CDXJ indexes of a WARC directory. It needs no Writer and
// takes no lock, so a web UI can read while the crawler writes; each call
// sees the files present at that moment, including the index of the file
// being written.
type Index struct {
	dir string
}

// OpenIndex opens the CDXJ indexes of dir.
func OpenIndex(dir string) (*Index, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return nil, fmt.Errorf("open index %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("open index %s: not a directory", dir)
	}
	return &Index{dir: dir}, nil
}

// indexFiles lists the index files in WARC write order. Closed indexes are
// sorted; an .open one is in write order.
func (ix *Index) indexFiles() ([]string, error) {
	entries, err := os.ReadDir(ix.dir)
	if err != nil {
		return nil, fmt.Errorf("read dir %s: %w", ix.dir, err)
	}
	have := make(map[string]bool, len(entries))
	for _, e := range entries {
		have[e.Name()] = true
	}
	files, err := listWARCs(ix.dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, wf := range files {
		name := indexName(wf.name)
		if have[name] {
			out = append(out, name)
		} else if have[name+openSuffix] {
			out = append(out, name+openSuffix)
		}
	}
	return out, nil
}

// Lookup returns the captures whose SURT key matches url's, oldest first.
// Lines that do not parse are skipped; Verify reports them.
func (ix *Index) Lookup(url string) ([]Capture, error) {
	key := surtKey(url)
	names, err := ix.indexFiles()
	if err != nil {
		return nil, err
	}
	var out []Capture
	for _, name := range names {
		caps, err := lookupFile(ix.dir, name, key)
		if err != nil {
			return nil, fmt.Errorf("lookup %s: %w", name, err)
		}
		out = append(out, caps...)
	}
	slices.SortStableFunc(out, func(a, b Capture) int { return a.Time.Compare(b.Time) })
	return out, nil
}

// All yields every capture in the index, file by file in write order.
func (ix *Index) All() iter.Seq2[Capture, error] {
	return func(yield func(Capture, error) bool) {
		names, err := ix.indexFiles()
		if err != nil {
			yield(Capture{}, err)
			return
		}
		ix.captures(names)(yield)
	}
}

// captures yields the captures of the named index files (as indexFiles names them), in
// order.
func (ix *Index) captures(names []string) iter.Seq2[Capture, error] {
	return func(yield func(Capture, error) bool) {
		for _, name := range names {
			f, _, err := openIndexFile(ix.dir, name)
			if err != nil {
				if os.IsNotExist(err) {
					continue
				}
				yield(Capture{}, err)
				return
			}
			stop := false
			err = eachLine(f, func(line []byte) bool {
				if _, c, err := parseCDXJ(line); err == nil {
					if !yield(c, nil) {
						stop = true
						return false
					}
				}
				return true
			})
			f.Close()
			if stop {
				return
			}
			if err != nil {
				yield(Capture{}, fmt.Errorf("read %s: %w", name, err))
				return
			}
		}
	}
}

// eachLine calls fn for each complete line (without the newline) until fn
// returns false. Overlong lines are skipped, and so is a last line without
// its newline: it is still being written.
func eachLine(r io.Reader, fn func([]byte) bool) error {
	br := bufio.NewReaderSize(r, maxIndexLine)
	for {
		line, err := br.ReadSlice('\n')
		for err == bufio.ErrBufferFull {
			_, err = br.ReadSlice('\n')
			line = nil
		}
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if line != nil && !fn(line[:len(line)-1]) {
			return nil
		}
	}
}

// openIndexFile opens an index file as listed; an .open one may have been
// closed since, and then its sorted successor is opened.
func openIndexFile(dir, name string) (f *os.File, unsorted bool, err error) {
	f, err = os.Open(filepath.Join(dir, name))
	if err == nil || !os.IsNotExist(err) {
		return f, strings.HasSuffix(name, openSuffix), err
	}
	if closed, ok := strings.CutSuffix(name, openSuffix); ok {
		f, err = os.Open(filepath.Join(dir, closed))
	}
	return f, false, err
}

// lookupFile returns the captures with this key in one index file: by
// binary search in a sorted (closed) index, by a scan in an open one.
func lookupFile(dir, name, key string) ([]Capture, error) {
	f, unsorted, err := openIndexFile(dir, name)
	if err != nil {
		if os.IsNotExist(err) {
			return nil, nil
		}
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	start := int64(0)
	if !unsorted {
		if start, err = lowerBound(f, fi.Size(), key); err != nil {
			return nil, err
		}
	}
	var out []Capture
	kb := []byte(key)
	err = eachLine(io.NewSectionReader(f, start, fi.Size()-start), func(line []byte) bool {
		k, _, _ := bytes.Cut(line, []byte{' '})
		if c := bytes.Compare(k, kb); c != 0 {
			return unsorted || c < 0
		}
		if _, c, err := parseCDXJ(line); err == nil {
			out = append(out, c)
		}
		return true
	})
	return out, err
}

// lowerBound returns an offset at or before the first line whose key is >=
// key, in a file of lines sorted by key, reading O(log n) small pieces.
// Lines starting before lo are known to sort before key; the caller scans
// forward from the returned line start, so a wrong guess for hi (an
// unreadable line) costs time, never a match.
func lowerBound(r io.ReaderAt, size int64, key string) (int64, error) {
	const window = 8 << 10
	lo, hi := int64(0), size
	buf := make([]byte, 4<<10)
	for hi-lo > window {
		mid := lo + (hi-lo)/2
		k, ok, err := keyAfter(r, mid, size, buf)
		if err != nil {
			return 0, err
		}
		if !ok || k >= key {
			hi = mid
		} else {
			lo = mid
		}
	}
	if lo == 0 {
		return 0, nil
	}
	return lineStartAfter(r, lo, size, buf)
}

// keyAfter returns the key of the first line that starts after pos.
func keyAfter(r io.ReaderAt, pos, size int64, buf []byte) (string, bool, error) {
	start, err := lineStartAfter(r, pos, size, buf)
	if err != nil || start >= size {
		return "", false, err
	}
	n, err := r.ReadAt(buf, start)
	if err != nil && err != io.EOF {
		return "", false, err
	}
	k, _, found := bytes.Cut(buf[:n], []byte{' '})
	if !found {
		return "", false, nil
	}
	return string(k), true, nil
}

// lineStartAfter returns the offset just past the first newline at or after
// pos, or size if there is none.
func lineStartAfter(r io.ReaderAt, pos, size int64, buf []byte) (int64, error) {
	for pos < size {
		n, err := r.ReadAt(buf, pos)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, nil
		}
		if err != nil && err != io.EOF {
			return 0, err
		}
		if n == 0 {
			break
		}
		pos += int64(n)
	}
	return size, nil
}
