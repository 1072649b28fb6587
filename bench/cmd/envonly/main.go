// Command envonly is the program of the binary size benchmark: it reads
// the same variables as getenv, through secrets.Load from the environment.
// bench/run.sh builds it with every opt-out tag
// (-tags secrets_novault,secrets_noaws,secrets_nogcp,secrets_noazure,secrets_nodotenv) and
// without, and compares sizes with getenv.
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/fathom-dev/secrets"
)

type config struct {
	DatabaseURL string         `secret:"database_url,optional"`
	APIKey      secrets.String `secret:"api_key,optional"`
	Port        int            `secret:"port,default=8080"`
	Timeout     time.Duration  `secret:"timeout,default=5s"`
	Debug       bool           `secret:"debug,optional"`
}

func main() {
	var cfg config
	if err := secrets.Load(context.Background(), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("database_url:", cfg.DatabaseURL != "", "api_key:", !cfg.APIKey.IsZero(), "port:", cfg.Port, "timeout:", cfg.Timeout, "debug:", cfg.Debug)
}
