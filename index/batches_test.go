package index

import (
	"fmt"
	"testing"
)

func TestBatchesCutAtMonthsAndEvenly(t *testing.T) {
	var docs []prepared
	for _, mn := range []struct {
		month string
		n     int
	}{{"2025-01", 1200}, {"2025-02", 7}, {"2025-03", 3000}} {
		for i := range mn.n {
			docs = append(docs, prepared{key: fmt.Sprint(mn.month, i), month: mn.month})
		}
	}
	var got []string
	total := 0
	for b := range batches(docs, 1000) {
		for _, d := range b {
			if d.month != b[0].month {
				t.Fatalf("batch mixes %s and %s", b[0].month, d.month)
			}
		}
		got = append(got, fmt.Sprintf("%s:%d", b[0].month, len(b)))
		total += len(b)
	}
	want := "[2025-01:600 2025-01:600 2025-02:7 2025-03:1000 2025-03:1000 2025-03:1000]"
	if fmt.Sprint(got) != want || total != len(docs) {
		t.Fatalf("batches %v (%d docs), want %s", got, total, want)
	}
}
