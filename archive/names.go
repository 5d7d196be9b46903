package archive

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"time"
)

const (
	warcExt    = ".warc.gz"
	openSuffix = ".open"
	cdxjExt    = ".cdxj"
	lockName   = ".lock"
)

// fileName builds PREFIX-YYYYMMDDhhmmss-NNNNN.warc.gz.
func fileName(prefix string, t time.Time, serial int) string {
	return fmt.Sprintf("%s-%s-%05d%s", prefix, t.UTC().Format("20060102150405"), serial, warcExt)
}

// nameParts splits a WARC file name (with or without .open) into the
// timestamp and the serial number. ok is false for names we did not make.
func nameParts(name string) (stamp string, serial int, ok bool) {
	name = strings.TrimSuffix(name, openSuffix)
	base, found := strings.CutSuffix(name, warcExt)
	if !found {
		base, found = strings.CutSuffix(name, cdxjExt)
		if !found {
			return "", 0, false
		}
	}
	i := strings.LastIndexByte(base, '-')
	if i < 0 {
		return "", 0, false
	}
	n, err := strconv.Atoi(base[i+1:])
	if err != nil || n < 0 {
		return "", 0, false
	}
	rest := base[:i]
	j := strings.LastIndexByte(rest, '-')
	if j < 0 || len(rest)-j-1 != 14 {
		return "", 0, false
	}
	return rest[j+1:], n, true
}

// indexName is the CDXJ file that belongs to a (closed) WARC file name.
func indexName(warcName string) string {
	return strings.TrimSuffix(strings.TrimSuffix(warcName, openSuffix), warcExt) + cdxjExt
}

// warcFile is a WARC file found in the directory.
type warcFile struct {
	name   string // as on disk
	open   bool   // still named *.open
	stamp  string
	serial int
}

// closedName is the name the file has, or will have, once closed.
func (f warcFile) closedName() string { return strings.TrimSuffix(f.name, openSuffix) }

// listWARCs returns the WARC files of dir in write order: by serial, which
// the Writer keeps increasing across restarts, then by time and name so that
// files from elsewhere still sort sensibly.
func listWARCs(dir string) ([]warcFile, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("read dir %s: %w", dir, err)
	}
	var files []warcFile
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() {
			continue
		}
		open := strings.HasSuffix(name, warcExt+openSuffix)
		if !open && !strings.HasSuffix(name, warcExt) {
			continue
		}
		stamp, serial, _ := nameParts(name)
		files = append(files, warcFile{name: name, open: open, stamp: stamp, serial: serial})
	}
	sort.Slice(files, func(i, j int) bool {
		a, b := files[i], files[j]
		if a.serial != b.serial {
			return a.serial < b.serial
		}
		if a.stamp != b.stamp {
			return a.stamp < b.stamp
		}
		return a.name < b.name
	})
	return files, nil
}

// openWARC opens a WARC file by its closed name, falling back to the .open
// name while it is still being written; it retries once because the file
// can be renamed between the two attempts.
func openWARC(dir, name string) (*os.File, error) {
	name = filepath.Base(strings.TrimSuffix(name, openSuffix))
	var err error
	for range 2 {
		var f *os.File
		if f, err = os.Open(filepath.Join(dir, name)); err == nil {
			return f, nil
		}
		if !os.IsNotExist(err) {
			return nil, err
		}
		if f, err = os.Open(filepath.Join(dir, name+openSuffix)); err == nil {
			return f, nil
		}
		if !os.IsNotExist(err) {
			return nil, err
		}
	}
	return nil, err
}
