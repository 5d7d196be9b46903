package index

import (
	"context"
	"os"
	"strconv"
	"testing"
)

func TestTmpRunBench(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("BENCH_DOCS"))
	if n == 0 {
		t.Skip()
	}
	if _, err := Bench(context.Background(), BenchConfig{Docs: n, Out: os.Stdout}); err != nil {
		t.Fatal(err)
	}
}
