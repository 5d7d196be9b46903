package report

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// WriteAll writes the report into dir/reports/ as YYYY-MM-DD.csv, .json,
// .md, .html and .svg, where dir is the archive's data directory, and
// returns the paths written. Each file is written to a temporary name and
// renamed, so a reader (the web UI serving reports/) never sees half a file
// and a rerun for the same day replaces the old report whole.
func (d *Day) WriteAll(dir string) ([]string, error) {
	if _, err := time.Parse(dayLayout, d.Date); err != nil {
		return nil, fmt.Errorf("write report: date %q is not YYYY-MM-DD", d.Date)
	}
	out := filepath.Join(dir, "reports")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, fmt.Errorf("write report %s: %w", d.Date, err)
	}
	writers := []struct {
		ext   string
		write func(io.Writer) error
	}{
		{"csv", d.WriteCSV},
		{"json", d.WriteJSON},
		{"md", d.WriteMarkdown},
		{"html", d.WriteHTML},
		{"svg", d.WriteSVG},
	}
	var paths []string
	for _, w := range writers {
		p := filepath.Join(out, d.Date+"."+w.ext)
		if err := writeFile(p, w.write); err != nil {
			return paths, fmt.Errorf("write report %s: %w", d.Date, err)
		}
		paths = append(paths, p)
	}
	return paths, nil
}

func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("create %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Chmod(0o644); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}
