// Command getenv is the baseline of the binary size benchmark: a plain
// program reading a few environment variables with os.Getenv. Compare its
// size with envonly's; see bench/run.sh.
package main

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

func main() {
	port, err := strconv.Atoi(os.Getenv("PORT"))
	if err != nil {
		port = 8080
	}
	timeout, err := time.ParseDuration(os.Getenv("TIMEOUT"))
	if err != nil {
		timeout = 5 * time.Second
	}
	debug, _ := strconv.ParseBool(os.Getenv("DEBUG"))
	dbURL := os.Getenv("DATABASE_URL")
	apiKey := os.Getenv("API_KEY")
	fmt.Println("database_url:", dbURL != "", "api_key:", len(apiKey) > 0, "port:", port, "timeout:", timeout, "debug:", debug)
}
