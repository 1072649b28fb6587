// Command caarlos0 reads the same variables as getenv and envonly with
// caarlos0/env v11, for comparison in the binary size benchmark (see
// bench/run.sh).
package main

import (
	"fmt"
	"os"
	"time"

	"github.com/caarlos0/env/v11"
)

type config struct {
	DatabaseURL string        `env:"DATABASE_URL"`
	APIKey      string        `env:"API_KEY"`
	Port        int           `env:"PORT" envDefault:"8080"`
	Timeout     time.Duration `env:"TIMEOUT" envDefault:"5s"`
	Debug       bool          `env:"DEBUG"`
}

func main() {
	var cfg config
	if err := env.Parse(&cfg); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println("database_url:", cfg.DatabaseURL != "", "api_key:", cfg.APIKey != "", "port:", cfg.Port, "timeout:", cfg.Timeout, "debug:", cfg.Debug)
}
