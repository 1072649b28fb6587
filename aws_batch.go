//go:build !secrets_noaws

package secrets

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// LookupBatch fetches many secrets in few calls and returns one [Result]
// per ref, in order.
//
// In the one-secret-per-key layout, unversioned refs are fetched with
// BatchGetSecretValue, at most 20 secret ids per call (so 100 keys cost 5
// calls); an entry of the response's Errors list fails only its key, and a
// ResourceNotFoundException entry is [ErrNotFound] for that key. Versioned
// refs, which BatchGetSecretValue cannot express, and secrets the batch
// response leaves out, are fetched with GetSecretValue, concurrently. When
// the credentials may not call BatchGetSecretValue at all
// (AccessDeniedException for the whole call), the source falls back to
// GetSecretValue for good.
//
// In the JSON layout, one fetch of the secret serves every ref of the same
// version.
func (a *AWS) LookupBatch(ctx context.Context, refs []Ref) []Result {
	res := make([]Result, len(refs))
	if err := ctx.Err(); err != nil {
		for i, ref := range refs {
			res[i].Err = fmt.Errorf("awssm: key %q: %w", ref.Key, err)
		}
		return res
	}
	if a.secretID != "" {
		a.lookupDocumentBatch(ctx, refs, res)
		return res
	}

	byID := map[string][]int{} // unversioned secret id -> positions in refs
	var ids []string           // distinct unversioned ids, in order
	var single []int           // positions fetched one by one
	for i, ref := range refs {
		switch {
		case ref.Key == "":
			res[i].Err = errors.New("awssm: empty key")
		case ref.Version != "":
			single = append(single, i)
		default:
			id := a.prefix + ref.Key
			if _, ok := byID[id]; !ok {
				ids = append(ids, id)
			}
			byID[id] = append(byID[id], i)
		}
	}

	var wg sync.WaitGroup
	singles := make(chan struct{}, awsMaxConcurrency)
	fetchOne := func(i int) {
		singles <- struct{}{}
		defer func() { <-singles }()
		res[i].Value, res[i].Err = a.getSecret(ctx, a.prefix+refs[i].Key, refs[i].Version)
	}
	for _, i := range single {
		wg.Go(func() { fetchOne(i) })
	}
	batches := make(chan struct{}, awsBatchConcurrency)
	for chunk := range slices.Chunk(ids, awsBatchSize) {
		wg.Go(func() {
			batches <- struct{}{}
			missed := a.batchChunk(ctx, chunk, byID, res)
			<-batches
			var inner sync.WaitGroup
			for _, id := range missed {
				for _, i := range byID[id] {
					inner.Go(func() { fetchOne(i) })
				}
			}
			inner.Wait()
		})
	}
	wg.Wait()
	return res
}

// batchChunk fetches up to awsBatchSize secrets with BatchGetSecretValue,
// following NextToken, and fills res for their refs. It returns the ids the
// response did not answer, to be fetched one by one.
func (a *AWS) batchChunk(ctx context.Context, ids []string, byID map[string][]int, res []Result) (missed []string) {
	if a.batchDenied.Load() {
		return ids
	}
	done := make(map[string]bool, len(ids))
	for _, id := range ids {
		done[id] = false
	}
	set := func(id string, v Value, err error) bool {
		if d, ok := done[id]; !ok || d {
			return false
		}
		done[id] = true
		for _, i := range byID[id] {
			res[i] = Result{Value: Value{Data: bytes.Clone(v.Data), Version: v.Version}, Err: err}
		}
		return true
	}
	in := &secretsmanager.BatchGetSecretValueInput{SecretIdList: ids}
	// Each page answers at least one id; more pages than ids is a loop.
	for page := 0; page <= len(ids); page++ {
		out, err := a.client.BatchGetSecretValue(ctx, in)
		if err != nil {
			if isAWSAccessDenied(err) && ctx.Err() == nil {
				// The credentials may read secrets but not batch them:
				// GetSecretValue reports per secret what they may read.
				a.batchDenied.Store(true)
				break
			}
			for _, id := range ids {
				set(id, Value{}, awsError(ctx, id, "", err))
			}
			return nil
		}
		for _, e := range out.SecretValues {
			v := awsValue(e.SecretString, e.SecretBinary, e.VersionId)
			// Entries name the secret by Name and ARN; the request
			// may have used either.
			if !set(aws.ToString(e.Name), v, nil) {
				set(aws.ToString(e.ARN), v, nil)
			}
		}
		for _, e := range out.Errors {
			id := aws.ToString(e.SecretId)
			set(id, Value{}, awsEntryError(ctx, id, aws.ToString(e.ErrorCode), aws.ToString(e.Message)))
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for _, id := range ids {
		if !done[id] {
			missed = append(missed, id)
		}
	}
	return missed
}
