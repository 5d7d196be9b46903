package crawler

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// Progress is told how much work a pass has and how much is done.
type Progress interface {
	Start(total int)
	Add(n int)
	Finish()
}

type nopProgress struct{}

func (nopProgress) Start(int) {}
func (nopProgress) Add(int)   {}
func (nopProgress) Finish()   {}

// Bar draws a one-line progress bar on a terminal, at most a few times a second.
type Bar struct {
	W     io.Writer
	Label string

	mu    sync.Mutex
	total int
	done  int
	start time.Time
	last  time.Time
}

// Start implements Progress.
func (b *Bar) Start(total int) {
	b.mu.Lock()
	b.total, b.done, b.start = total, 0, time.Now()
	b.mu.Unlock()
	b.draw(true)
}

// Add implements Progress.
func (b *Bar) Add(n int) {
	b.mu.Lock()
	b.done += n
	b.mu.Unlock()
	b.draw(false)
}

// Finish implements Progress.
func (b *Bar) Finish() {
	b.draw(true)
	fmt.Fprintln(b.W)
}

func (b *Bar) draw(force bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	now := time.Now()
	if !force && now.Sub(b.last) < 200*time.Millisecond {
		return
	}
	b.last = now
	const width = 30
	filled := width
	if b.total > 0 {
		filled = width * b.done / b.total
	}
	rate := 0.0
	if el := now.Sub(b.start).Seconds(); el > 0 {
		rate = float64(b.done) / el
	}
	bar := make([]byte, width)
	for i := range bar {
		if i < filled {
			bar[i] = '='
		} else {
			bar[i] = ' '
		}
	}
	fmt.Fprintf(b.W, "\r%s [%s] %d/%d pages  %.1f/s ", b.Label, bar, b.done, b.total, rate)
}
