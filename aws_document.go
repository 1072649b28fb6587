//go:build !secrets_noaws

package secrets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
)

// awsDocument is one fetched version of the JSON secret of the
// one-secret-for-all-keys layout.
type awsDocument struct {
	id      string
	version string // version id served
	fields  map[string]json.RawMessage
}

// field returns the value of a top-level field: a JSON string as the
// string, anything else as its JSON text.
func (d *awsDocument) field(name string) (Value, error) {
	raw, ok := d.fields[name]
	if !ok {
		return Value{}, fmt.Errorf("awssm: secret %q has no field %q: %w", d.id, name, ErrNotFound)
	}
	if len(raw) > 0 && raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return Value{}, fmt.Errorf("awssm: secret %q: field %q is not a valid JSON string", d.id, name)
		}
		return Value{Data: []byte(s), Version: d.version}, nil
	}
	return Value{Data: append([]byte{}, raw...), Version: d.version}, nil
}

// awsLeaderRetries bounds how often a lookup joins a new fetch after the
// one it shared was cancelled by another caller's context.
const awsLeaderRetries = 3

// document fetches the JSON secret at version ("" for AWSCURRENT). Calls
// for the same version while a fetch is in flight share it; nothing is kept
// after it, so every call after that fetches again.
func (a *AWS) document(ctx context.Context, version string) (*awsDocument, error) {
	for attempt := 0; ; attempt++ {
		ch := a.docs.DoChan(version, func() (any, error) {
			return a.fetchDocument(ctx, version)
		})
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("awssm: secret %q: %w", a.secretID, ctx.Err())
		case r := <-ch:
			if r.Err != nil {
				// The fetch ran under the context of whichever caller
				// started it; if that one was cancelled and this one was
				// not, fetch again.
				if errors.Is(r.Err, context.Canceled) && ctx.Err() == nil && attempt < awsLeaderRetries {
					continue
				}
				return nil, r.Err
			}
			return r.Val.(*awsDocument), nil
		}
	}
}

func (a *AWS) fetchDocument(ctx context.Context, version string) (*awsDocument, error) {
	v, err := a.getSecret(ctx, a.secretID, version)
	if err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	// The decoder's error would quote part of the secret: report only
	// that the shape is wrong.
	if err := json.Unmarshal(v.Data, &fields); err != nil || fields == nil {
		return nil, fmt.Errorf("awssm: secret %q is not a JSON object with one field per key", a.secretID)
	}
	return &awsDocument{id: a.secretID, version: v.Version, fields: fields}, nil
}

// lookupDocumentBatch serves refs from the JSON secret: one fetch per
// distinct version.
func (a *AWS) lookupDocumentBatch(ctx context.Context, refs []Ref, res []Result) {
	index := map[string]int{} // version -> position in versions
	var versions []string
	for _, ref := range refs {
		if _, ok := index[ref.Version]; !ok {
			index[ref.Version] = len(versions)
			versions = append(versions, ref.Version)
		}
	}
	docs := make([]*awsDocument, len(versions))
	errs := make([]error, len(versions))
	var wg sync.WaitGroup
	for i, version := range versions {
		wg.Go(func() { docs[i], errs[i] = a.document(ctx, version) })
	}
	wg.Wait()
	for i, ref := range refs {
		j := index[ref.Version]
		switch {
		case ref.Key == "":
			res[i].Err = errors.New("awssm: empty key")
		case errs[j] != nil:
			res[i].Err = errs[j]
		default:
			res[i].Value, res[i].Err = docs[j].field(a.prefix + ref.Key)
		}
	}
}
