package archive

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// abandon drops a Writer the way kill -9 does: files stay .open, nothing
// is synced, renamed or sorted, and the lock goes.
func abandon(w *Writer) (openFile string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
	if w.f != nil {
		openFile = w.f.Name()
		w.f.Close()
	}
	if w.idx != nil {
		w.idx.Close()
	}
	unlockDir(w.lock)
	return openFile
}

// memberEnds returns the end offset of each gzip member of a WARC file.
func memberEnds(t *testing.T, path string) []int64 {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var ends []int64
	mr := newMemberReader(f, 0)
	for {
		_, err := mr.next()
		if err == io.EOF {
			return ends
		}
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, mr.pos())
	}
}

func TestRepairCutsIncompleteRecord(t *testing.T) {
	srv := httptest.NewServer(&pages{size: 2000})
	defer srv.Close()
	// Record layout: warcinfo, then request/response pairs.
	type cut struct {
		name string
		at   func(ends []int64) int64
		keep int // response records left
	}
	cuts := []cut{
		{"mid last response", func(e []int64) int64 { return e[len(e)-1] - 7 }, 2},
		{"just after last request", func(e []int64) int64 { return e[len(e)-2] }, 2},
		{"mid last request", func(e []int64) int64 { return e[len(e)-2] - 30 }, 2},
		{"one byte into response", func(e []int64) int64 { return e[len(e)-2] + 1 }, 2},
		{"at a boundary", func(e []int64) int64 { return e[len(e)-3] }, 2},
		{"nothing cut", func(e []int64) int64 { return e[len(e)-1] }, 3},
		{"mid warcinfo", func(e []int64) int64 { return e[0] / 2 }, 0},
	}
	for _, tc := range cuts {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w := openWriter(t, dir)
			client := newClient(w, TransportOptions{})
			for i := range 3 {
				fetch(t, client, fmt.Sprintf("%s/p/%d", srv.URL, i))
			}
			path := abandon(w)
			ends := memberEnds(t, path)
			if len(ends) != 7 {
				t.Fatalf("%d records", len(ends))
			}
			at := tc.at(ends)
			if err := os.Truncate(path, at); err != nil {
				t.Fatal(err)
			}
			w2 := openWriter(t, dir)
			if _, err := os.Stat(path); !os.IsNotExist(err) {
				t.Errorf(".open file still there: %v", err)
			}
			closed := strings.TrimSuffix(path, openSuffix)
			if tc.keep == 0 {
				if _, err := os.Stat(closed); !os.IsNotExist(err) {
					t.Errorf("empty file kept")
				}
			} else {
				fi, err := os.Stat(closed)
				if err != nil {
					t.Fatal(err)
				}
				if want := ends[2*tc.keep]; fi.Size() != want {
					t.Errorf("repaired size %d, want %d (cut at %d)", fi.Size(), want, at)
				}
			}
			var got int
			for i := range 3 {
				caps, err := w2.Lookup(fmt.Sprintf("%s/p/%d", srv.URL, i))
				if err != nil {
					t.Fatal(err)
				}
				got += len(caps)
			}
			if got != tc.keep {
				t.Errorf("%d captures indexed, want %d", got, tc.keep)
			}
			// New writes continue in a new file with the next serial.
			r, _ := fetch(t, newClient(w2, TransportOptions{}), srv.URL+"/after")
			c, _ := CaptureOf(r)
			if tc.keep > 0 && c.File == filepath.Base(closed) {
				t.Error("wrote into the repaired file")
			}
			w2.Close()
			mustVerify(t, dir)
		})
	}
}

func TestRepairRebuildsMissingIndex(t *testing.T) {
	srv := httptest.NewServer(&pages{})
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	client := newClient(w, TransportOptions{})
	for i := range 5 {
		fetch(t, client, fmt.Sprintf("%s/p/%d", srv.URL, i%3))
	}
	w.Close()
	idx, _ := filepath.Glob(filepath.Join(dir, "*.cdxj"))
	if len(idx) != 1 {
		t.Fatalf("indexes %v", idx)
	}
	before, _ := os.ReadFile(idx[0])
	os.Remove(idx[0])
	w2 := openWriter(t, dir)
	w2.Close()
	after, err := os.ReadFile(idx[0])
	if err != nil || !bytes.Equal(before, after) {
		t.Errorf("rebuilt index differs:\n%s\nwant\n%s", after, before)
	}
}

func TestRepairDropsCorruptMiddle(t *testing.T) {
	srv := httptest.NewServer(&pages{size: 3000})
	defer srv.Close()
	dir := t.TempDir()
	w := openWriter(t, dir)
	client := newClient(w, TransportOptions{})
	for i := range 4 {
		fetch(t, client, fmt.Sprintf("%s/p/%d", srv.URL, i))
	}
	path := abandon(w)
	ends := memberEnds(t, path)
	// Flip a byte inside the second response's gzip data.
	f, _ := os.OpenFile(path, os.O_RDWR, 0)
	at := ends[3] + (ends[4]-ends[3])/2
	b := make([]byte, 1)
	f.ReadAt(b, at)
	b[0] ^= 0xff
	f.WriteAt(b, at)
	f.Close()
	openWriter(t, dir).Close()
	fi, err := os.Stat(strings.TrimSuffix(path, openSuffix))
	if err != nil || fi.Size() != ends[2] {
		t.Errorf("kept %v bytes, want %d: a broken record is never kept", fi, ends[2])
	}
	mustVerify(t, dir)
}

const childEnv = "PRAVDA_ARCHIVE_CRASH_CHILD"

// TestCrashChild is the child side of TestKill9: it fetches in a loop until
// killed.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(childEnv)
	if dir == "" {
		t.Skip("only run as the child of TestKill9")
	}
	// Incompressible bodies make each write big, so that kills land
	// mid-write too.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := make([]byte, 128<<10)
		rand.Read(body)
		w.Write(body)
	}))
	defer srv.Close()
	w, err := Open(dir, WithMaxFileSize(4<<20))
	if err != nil {
		t.Fatal(err)
	}
	client := newClient(w, TransportOptions{})
	for i := 0; ; i++ {
		resp, err := client.Get(fmt.Sprintf("%s/p/%d", srv.URL, i%40))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		c, _ := CaptureOf(resp)
		// The parent counts these: each names a capture that must survive.
		fmt.Printf("CAPTURE %s %d %s\n", c.File, c.Offset, c.RecordID)
	}
}

func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns child processes")
	}
	dir := t.TempDir()
	for round := range 3 {
		cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), childEnv+"="+dir)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var confirmed []string
		sc := bufio.NewScanner(out)
		// Vary where in a file the kill lands; on a loaded machine settle
		// for what the child managed in the time.
		killer := time.AfterFunc(15*time.Second, func() { cmd.Process.Signal(syscall.SIGKILL) })
		want := 8 + 11*round
		for sc.Scan() && len(confirmed) < want {
			if line := sc.Text(); strings.HasPrefix(line, "CAPTURE ") {
				confirmed = append(confirmed, line)
			}
		}
		killer.Stop()
		time.Sleep(time.Duration(round) * 3 * time.Millisecond) // vary the moment too
		cmd.Process.Signal(syscall.SIGKILL)
		io.Copy(io.Discard, out) // EOF once the child is dead
		cmd.Wait()
		if len(confirmed) == 0 {
			t.Fatalf("round %d: child confirmed no capture", round)
		}
		w, err := Open(dir, WithLogger(testLogger(t)))
		if err != nil {
			t.Fatalf("round %d: Open after kill: %v", round, err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		rep := mustVerify(t, dir)
		// Every capture the child returned before it died is still there.
		for _, line := range confirmed {
			var file, id string
			var off int64
			fmt.Sscanf(line, "CAPTURE %s %d %s", &file, &off, &id)
			rec, err := ReadRecord(dir, file, off)
			if err != nil || rec.ID != id {
				t.Errorf("round %d: confirmed capture %s lost: %v", round, line, err)
			}
		}
		t.Logf("round %d: %d confirmed captures survive; archive has %d files, %d records", round, len(confirmed), rep.Files, rep.Records)
	}
}

func TestVerifyFindsProblems(t *testing.T) {
	srv := httptest.NewServer(&pages{size: 2000})
	defer srv.Close()
	build := func(t *testing.T) (string, string, []int64) {
		dir := t.TempDir()
		w := openWriter(t, dir)
		client := newClient(w, TransportOptions{})
		for i := range 3 {
			fetch(t, client, fmt.Sprintf("%s/p/%d", srv.URL, i))
		}
		w.Close()
		files, _ := filepath.Glob(filepath.Join(dir, "*.warc.gz"))
		return dir, files[0], memberEnds(t, files[0])
	}
	expect := func(t *testing.T, dir, what string) {
		t.Helper()
		rep, err := Verify(context.Background(), dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range rep.Problems {
			if strings.Contains(p.String(), what) {
				return
			}
		}
		t.Errorf("no problem mentioning %q in %v", what, rep.Problems)
	}

	t.Run("flipped compressed byte", func(t *testing.T) {
		dir, path, ends := build(t)
		data, _ := os.ReadFile(path)
		data[ends[2]+(ends[3]-ends[2])/2] ^= 0x55
		os.WriteFile(path, data, 0o644)
		rep, _ := Verify(context.Background(), dir)
		if rep.OK() {
			t.Error("corruption not found")
		}
	})
	t.Run("digest mismatch", func(t *testing.T) {
		// Change one byte of the last response's block and gzip it again,
		// so that only the digest can tell.
		dir, path, ends := build(t)
		data, _ := os.ReadFile(path)
		last := data[ends[len(ends)-2]:]
		raw, err := newMemberReader(bytes.NewReader(last), 0).next()
		if err != nil {
			t.Fatal(err)
		}
		i := bytes.LastIndex(raw.block, []byte("version 0"))
		raw.block[i+8] = '9'
		var rec bytes.Buffer
		rec.WriteString("WARC/1.1\r\n")
		for _, f := range raw.fields {
			rec.WriteString(f.Name + ": " + f.Value + "\r\n")
		}
		rec.WriteString("\r\n")
		rec.Write(raw.block)
		rec.WriteString("\r\n\r\n")
		var member bytes.Buffer
		gzipMember(&member, rec.Bytes(), rec.Len())
		os.WriteFile(path, append(data[:ends[len(ends)-2]:ends[len(ends)-2]], member.Bytes()...), 0o644)
		expect(t, dir, "digest")
	})
	t.Run("stray open file", func(t *testing.T) {
		dir, path, _ := build(t)
		data, _ := os.ReadFile(path)
		os.WriteFile(filepath.Join(dir, "pravda-20250101000000-00099.warc.gz.open"), data, 0o644)
		expect(t, dir, "left open")
	})
	t.Run("index points nowhere", func(t *testing.T) {
		dir, path, _ := build(t)
		idx := filepath.Join(dir, indexName(filepath.Base(path)))
		data, _ := os.ReadFile(idx)
		os.WriteFile(idx, bytes.Replace(data, []byte(`"offset":"`), []byte(`"offset":"1`), 1), 0o644)
		expect(t, dir, "no record at offset")
	})
	t.Run("record missing from index", func(t *testing.T) {
		dir, path, _ := build(t)
		idx := filepath.Join(dir, indexName(filepath.Base(path)))
		data, _ := os.ReadFile(idx)
		lines := bytes.SplitAfter(data, []byte("\n"))
		os.WriteFile(idx, bytes.Join(lines[1:], nil), 0o644)
		expect(t, dir, "not in the index")
	})
}
