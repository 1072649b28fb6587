//go:build !secrets_noaws

package secrets_test

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/fathom-dev/secrets"
)

// A source built from an aws.Config of your own, e.g. from
// config.LoadDefaultConfig with options the spec cannot express. Nothing is
// fetched until a lookup.
func ExampleNewAWS() {
	cfg := aws.Config{Region: "eu-west-1"}
	perKey, err := secrets.NewAWS(cfg, secrets.AWSOptions{Prefix: "myapp/"})
	if err != nil {
		panic(err)
	}
	oneJSON, err := secrets.NewAWS(cfg, secrets.AWSOptions{SecretID: "myapp/config"})
	if err != nil {
		panic(err)
	}
	fmt.Println(perKey)
	fmt.Println(oneJSON)
	// Output:
	// awssm://?region=eu-west-1&prefix=myapp/
	// awssm:///myapp/config?region=eu-west-1
}
