package secrets_test

import (
	"context"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fathom-dev/secrets"
)

// FuzzLoad checks that no tag and no value makes Load panic, and that no
// error repeats the value.
func FuzzLoad(f *testing.F) {
	for _, seed := range []struct{ tag, val string }{
		{"k", "1"}, {"k,optional", ""}, {"k#f", `{"f":1}`}, {"k,default=a,b", "x"},
		{",prefix=p_", "x"}, {"k,version=", "x"}, {"#", "x"}, {"k,,", "x"}, {"k#a#b", "{}"},
		{"k", "a:1,b:2"}, {"k", "1s,2h"}, {"k", "http://[::1"},
	} {
		f.Add(seed.tag, seed.val)
	}
	types := []reflect.Type{
		reflect.TypeFor[int](), reflect.TypeFor[[]time.Duration](), reflect.TypeFor[map[string]int](),
		reflect.TypeFor[*float64](), reflect.TypeFor[secrets.String](), reflect.TypeFor[struct{ A int }](),
		reflect.TypeFor[time.Time](), reflect.TypeFor[bool](),
	}
	const marker = "Zq9marker"
	f.Fuzz(func(t *testing.T, tag, val string) {
		if strings.Contains(tag, marker) {
			return
		}
		val = marker + val
		for _, typ := range types {
			st := reflect.StructOf([]reflect.StructField{{
				Name: "F", Type: typ,
				Tag: reflect.StructTag(`secret:` + strconv.Quote(tag)),
			}})
			dst := reflect.New(st).Interface()
			err := secrets.Load(context.Background(), dst, secrets.Map{"k": val, "p_k": val})
			if err != nil && strings.Contains(err.Error(), marker) {
				t.Fatalf("error repeats the value: %v", err)
			}
		}
	})
}
