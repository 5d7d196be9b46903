package archive

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	gowarc "github.com/nlnwa/gowarc/v3"
)

// Report is the outcome of Verify.
type Report struct {
	Files      int // WARC files read
	Records    int // records read
	IndexLines int // CDXJ lines checked
	Problems   []Problem
}

// OK reports whether Verify found nothing wrong.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

// Problem is one thing wrong in the archive. Offset is -1 when it concerns
// a whole file.
type Problem struct {
	File   string
	Offset int64
	What   string
}

func (p Problem) String() string {
	if p.Offset < 0 {
		return p.File + ": " + p.What
	}
	return fmt.Sprintf("%s at %d: %s", p.File, p.Offset, p.What)
}

func (r *Report) add(file string, offset int64, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{file, offset, fmt.Sprintf(format, args...)})
}

// storedRec is what Verify keeps of each record to check the index against.
type storedRec struct {
	size     int64
	typ      string
	id       string
	uri      string
	digest   string
	refersTo string
	indexed  bool
}

// Verify checks a WARC directory with an independent reader (nlnwa/gowarc,
// validation on): every closed file parses, warcinfo comes first, block and
// payload digests match, no .open file is left, every index line points at
// a record with the same digest, every response, revisit and resource
// record is indexed, and every revisit's original is in the archive. Run it
// on a directory no Writer is writing to: the Writer's current file is an
// .open file. The error is for failures to read the directory at all.
func Verify(ctx context.Context, dir string) (Report, error) {
	var rep Report
	entries, err := os.ReadDir(dir)
	if err != nil {
		return rep, fmt.Errorf("verify %s: %w", dir, err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), openSuffix) {
			rep.add(e.Name(), -1, "left open: not closed by a Writer (run Open to repair)")
		}
	}
	files, err := listWARCs(dir)
	if err != nil {
		return rep, err
	}
	originals := make(map[[16]byte]bool)
	type revisitRef struct {
		file   string
		offset int64
		ref    string
	}
	var revisits []revisitRef
	for _, wf := range files {
		if wf.open {
			continue
		}
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		rep.Files++
		recs := verifyWARC(dir, wf.name, &rep)
		for off, s := range recs {
			switch s.typ {
			case "response", "resource":
				originals[idKey(s.id)] = true
			case "revisit":
				revisits = append(revisits, revisitRef{wf.name, off, s.refersTo})
			}
		}
		verifyIndex(dir, wf.name, recs, &rep)
	}
	for _, r := range revisits {
		if r.ref == "" {
			rep.add(r.file, r.offset, "revisit without WARC-Refers-To")
		} else if !originals[idKey(r.ref)] {
			rep.add(r.file, r.offset, "revisit refers to %s, which is not in the archive", r.ref)
		}
	}
	return rep, nil
}

func idKey(id string) [16]byte {
	s := sha256.Sum256([]byte(id))
	return [16]byte(s[:16])
}

// verifyWARC reads one file with nlnwa/gowarc and returns its records by
// offset.
func verifyWARC(dir, name string, rep *Report) map[int64]*storedRec {
	recs := make(map[int64]*storedRec)
	r, err := gowarc.NewWarcFileReader(filepath.Join(dir, name), 0,
		gowarc.WithSyntaxErrorPolicy(gowarc.ErrWarn),
		gowarc.WithSpecViolationPolicy(gowarc.ErrWarn),
		gowarc.WithUnknownRecordTypePolicy(gowarc.ErrWarn),
		gowarc.WithBlockErrorPolicy(gowarc.ErrWarn),
		gowarc.WithBufferTmpDir(os.TempDir()),
	)
	if err != nil {
		rep.add(name, -1, "cannot open: %v", err)
		return recs
	}
	defer r.Close()
	first := true
	for {
		rec, err := r.Next()
		if errors.Is(err, io.EOF) && rec.WarcRecord == nil {
			break
		}
		if err != nil {
			rep.add(name, rec.Offset, "unreadable record: %v", err)
			rec.Close()
			break
		}
		rep.Records++
		for _, v := range rec.Validation {
			rep.add(name, rec.Offset, "%v", v)
		}
		wr := rec.WarcRecord
		h := wr.WarcHeader()
		typ := wr.Type().String()
		if first && wr.Type() != gowarc.Warcinfo {
			rep.add(name, rec.Offset, "first record is %s, not warcinfo", typ)
		}
		first = false
		recs[rec.Offset] = &storedRec{size: rec.Size, typ: typ, id: h.Get(gowarc.WarcRecordID),
			uri: h.Get(gowarc.WarcTargetURI), digest: h.Get(gowarc.WarcPayloadDigest),
			refersTo: h.Get(gowarc.WarcRefersTo)}
		rec.Close()
	}
	if first {
		rep.add(name, -1, "no records")
	}
	return recs
}

// verifyIndex checks the CDXJ index of one WARC file against its records.
func verifyIndex(dir, name string, recs map[int64]*storedRec, rep *Report) {
	idx := indexName(name)
	data, err := os.ReadFile(filepath.Join(dir, idx))
	if err != nil {
		rep.add(idx, -1, "missing index for %s: %v", name, err)
		return
	}
	var prev []byte
	for n, line := range bytes.Split(bytes.TrimSuffix(data, []byte{'\n'}), []byte{'\n'}) {
		if len(data) == 0 {
			break
		}
		rep.IndexLines++
		where := fmt.Sprintf("line %d", n+1)
		if prev != nil && bytes.Compare(prev, line) > 0 {
			rep.add(idx, -1, "%s: not sorted", where)
		}
		prev = line
		key, c, err := parseCDXJ(line)
		if err != nil {
			rep.add(idx, -1, "%s: %v", where, err)
			continue
		}
		if c.File != name {
			rep.add(idx, -1, "%s: filename %q, want %q", where, c.File, name)
			continue
		}
		if key != surtKey(c.URL) {
			rep.add(idx, -1, "%s: key %q does not match url %q", where, key, c.URL)
		}
		s, ok := recs[c.Offset]
		switch {
		case !ok:
			rep.add(idx, -1, "%s: no record at offset %d of %s", where, c.Offset, name)
			continue
		case s.size != c.Length:
			rep.add(idx, -1, "%s: length %d, record is %d bytes", where, c.Length, s.size)
		case s.digest != c.PayloadDigest:
			rep.add(idx, -1, "%s: digest %s, record has %s", where, c.PayloadDigest, s.digest)
		case s.uri != c.URL:
			rep.add(idx, -1, "%s: url %q, record has %q", where, c.URL, s.uri)
		case c.RecordID != "" && s.id != c.RecordID:
			rep.add(idx, -1, "%s: record id %s, record has %s", where, c.RecordID, s.id)
		case c.Revisit != (s.typ == "revisit"):
			rep.add(idx, -1, "%s: revisit flag does not match a %s record", where, s.typ)
		}
		s.indexed = true
	}
	for off, s := range recs {
		switch s.typ {
		case "response", "revisit", "resource":
			if !s.indexed {
				rep.add(name, off, "%s record not in the index", s.typ)
			}
		}
	}
}
