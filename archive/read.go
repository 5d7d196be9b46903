package archive

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadRecord reads the record at offset in a WARC file of dir. file is the
// closed name (as in a Capture); a file still being written is found too.
// A revisit record comes back with the payload of the record it refers to.
func ReadRecord(dir, file string, offset int64) (*Record, error) {
	rec, err := readAt(dir, file, offset)
	if err != nil {
		return nil, err
	}
	if rec.Type == "revisit" {
		res := resolver{dir: dir}
		res.resolve(context.Background(), rec)
	}
	return rec, nil
}

func readAt(dir, file string, offset int64) (*Record, error) {
	if offset < 0 {
		return nil, fmt.Errorf("read %s at %d: negative offset", file, offset)
	}
	f, err := openWARC(dir, file)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", file, err)
	}
	defer f.Close()
	if _, err := f.Seek(offset, io.SeekStart); err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", file, offset, err)
	}
	raw, err := newMemberReader(f, offset).next()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	if err != nil {
		return nil, fmt.Errorf("read %s at %d: %w", file, offset, err)
	}
	return decodeRecord(raw, closedName(file)), nil
}

func closedName(file string) string {
	return filepath.Base(strings.TrimSuffix(file, openSuffix))
}

// Walk calls fn for every response, revisit and resource record of dir, in
// the order they were written; revisits come resolved to their original
// payload. A file still being written is read up to its last complete
// record. An error from fn stops the walk and is returned.
func Walk(ctx context.Context, dir string, fn func(*Record) error) error {
	files, err := listWARCs(dir)
	if err != nil {
		return err
	}
	res := resolver{dir: dir}
	for _, wf := range files {
		if err := walkFile(ctx, dir, wf, &res, fn); err != nil {
			return err
		}
	}
	return nil
}

func walkFile(ctx context.Context, dir string, wf warcFile, res *resolver, fn func(*Record) error) error {
	f, err := os.Open(filepath.Join(dir, wf.name))
	if err != nil {
		if os.IsNotExist(err) && wf.open { // closed meanwhile
			f, err = os.Open(filepath.Join(dir, wf.closedName()))
		}
		if err != nil {
			return fmt.Errorf("walk: %w", err)
		}
	}
	defer f.Close()
	mr := newMemberReader(f, 0)
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		at := mr.pos()
		raw, err := mr.next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			if wf.open && errors.Is(err, io.ErrUnexpectedEOF) {
				return nil // the record being written
			}
			return fmt.Errorf("walk %s at %d: %w", wf.name, at, err)
		}
		switch raw.fields.Get(hType) {
		case "response", "revisit", "resource":
		default:
			continue
		}
		rec := decodeRecord(raw, wf.closedName())
		if rec.Type == "revisit" && res != nil {
			res.resolve(ctx, rec)
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
}
