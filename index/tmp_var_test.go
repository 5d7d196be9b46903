package index

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/blevesearch/bleve/v2/mapping"
)

func TestTmpVariants(t *testing.T) {
	if os.Getenv("VARS") == "" {
		t.Skip()
	}
	const n = 8000
	docs := newBenchGen(1, n).docs(n)
	ja0, _ := Open(t.TempDir())
	ja0.Close()
	each := func(x *Index, f func(name string, fm *mapping.FieldMapping)) {
		for name, dm := range x.mapping.DefaultMapping.Properties {
			for _, fm := range dm.Fields {
				f(name, fm)
			}
		}
	}
	for _, v := range []struct {
		name string
		opts []Option
		mod  func(x *Index)
	}{
		{"default", nil, nil},
		{"lean", []Option{WithStoredText(false)}, nil},
		{"notv", nil, func(x *Index) { each(x, func(_ string, fm *mapping.FieldMapping) { fm.IncludeTermVectors = false }) }},
		{"nodocvalues", nil, func(x *Index) { each(x, func(_ string, fm *mapping.FieldMapping) { fm.DocValues = false }) }},
		{"nodatetime", nil, func(x *Index) { each(x, func(n string, fm *mapping.FieldMapping) { if n == fieldPublished { fm.Index = false; fm.DocValues = false } }) }},
		{"batch3000", []Option{WithBatchSize(3000)}, nil},
		{"default2", nil, nil},
	} {
		x, err := Open(t.TempDir(), v.opts...)
		if err != nil {
			t.Fatal(err)
		}
		if v.mod != nil {
			v.mod(x)
		}
		s, c := time.Now(), cpuTime()
		if err := x.Index(context.Background(), docs); err != nil {
			t.Fatal(err)
		}
		wall, cpu := time.Since(s), cpuTime()-c
		x.Close()
		t.Logf("%-12s wall %6.2fs (%4.0f docs/s) cpu %6.2fs (%4.0f docs/cpu-s) load %s", v.name, wall.Seconds(), n/wall.Seconds(), cpu.Seconds(), n/cpu.Seconds(), loadAverage())
	}
}
