// Command envconfig reads the same variables as getenv and envonly with
// sethvargo/go-envconfig, for comparison in the binary size benchmark (see
// bench/run.sh).
package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/sethvargo/go-envconfig"
)

type config struct {
	DatabaseURL string        `env:"DATABASE_URL"`
	APIKey      string        `env:"API_KEY"`
	Port        int           `env:"PORT, default=8080"`
	Timeout     time.Duration `env:"TIMEOUT, default=5s"`
	Debug       bool          `env:"DEBUG"`
}

func main() {
	var cfg config
	if err := envconfig.Process(context.Background(), &cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("database_url:", cfg.DatabaseURL != "", "api_key:", cfg.APIKey != "", "port:", cfg.Port, "timeout:", cfg.Timeout, "debug:", cfg.Debug)
}
