package index

import (
	"context"
	"slices"
	"testing"
	"time"
)

func TestClosedMonths(t *testing.T) {
	months := []string{"2024-12", "2025-01", "2025-02", "2025-03", Undated, "garbage"}
	for _, tc := range []struct {
		now   time.Time
		grace time.Duration
		want  []string
	}{
		// 2 March: February ended a day ago, inside a three-day grace.
		{time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC), 72 * time.Hour, []string{"2024-12", "2025-01"}},
		{time.Date(2025, 3, 4, 0, 0, 0, 0, time.UTC), 72 * time.Hour, []string{"2024-12", "2025-01", "2025-02"}},
		{time.Date(2025, 4, 1, 0, 0, 0, 0, time.UTC), 0, []string{"2024-12", "2025-01", "2025-02", "2025-03"}},
		{time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC), 0, nil},
	} {
		if got := closedMonths(months, tc.now, tc.grace); !slices.Equal(got, tc.want) {
			t.Errorf("closed at %s (grace %s): %v, want %v", tc.now.Format(time.DateOnly), tc.grace, got, tc.want)
		}
	}
}

// TestMergeClosed leaves every closed month in one segment, the open one as scorch keeps
// it, and the documents all there.
func TestMergeClosed(t *testing.T) {
	x := openTemp(t)
	for c := range slices.Chunk(synthetic(2000, 3), 100) { // January to April 2025
		mustIndex(t, x, c...)
	}
	before := count(t, x)
	now := time.Date(2025, 4, 2, 0, 0, 0, 0, time.UTC)
	merged, err := x.MergeClosed(context.Background(), now, 48*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(merged, "2025-03") || slices.Contains(merged, "2025-04") {
		t.Errorf("merged %v: March and April have not closed", merged)
	}
	for _, m := range []string{"2025-01", "2025-02"} {
		deadline := time.Now().Add(5 * time.Second)
		for n, _ := x.segments(m); n > 1 && time.Now().Before(deadline); n, _ = x.segments(m) {
			time.Sleep(20 * time.Millisecond)
		}
		if n, _ := x.segments(m); n != 1 {
			t.Errorf("%s in %d segments after MergeClosed", m, n)
		}
	}
	if got := count(t, x); got != before {
		t.Errorf("count %d after merge, want %d", got, before)
	}
}
