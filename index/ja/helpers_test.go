package ja

import "github.com/blevesearch/bleve/v2/registry"

func newCache() *registry.Cache { return registry.NewCache() }
