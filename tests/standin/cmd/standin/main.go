// Command standin serves stand-in cloud providers (and the fake AWS API, and
// with azure-native the fake Azure API) for running the Pulumi CLI against
// our plugin by hand:
//
//	standin [-region us-west-2] [-record calls.jsonl] aws random azure-native
//
// It prints the PULUMI_DEBUG_PROVIDERS value, the AWS API URL and the Azure
// API environment as shell exports, then serves until interrupted.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
	"slices"
	"strings"
	"syscall"

	"github.com/DefangLabs/pulumi-defang/tests/standin"
)

func main() {
	os.Exit(run())
}

func run() int {
	region := flag.String("region", standin.DefaultRegion, "AWS region the stand-ins answer with")
	record := flag.String("record", "", "append a JSON-lines record of every call to this file")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: standin [flags] aws|random|azure-native...")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		return 2
	}

	opts := []standin.Option{standin.WithRegion(*region)}
	if *record != "" {
		opts = append(opts, standin.WithRecordFile(*record))
	}
	// With azure-native, the fake Azure API serves the storage accounts the
	// stand-in reports.
	var azure *standin.AzureAPI
	if slices.Contains(flag.Args(), standin.AzureNative) {
		dir, err := os.MkdirTemp("", "standin-azure-")
		if err != nil {
			fmt.Fprintf(os.Stderr, "standin: %v\n", err)
			return 1
		}
		defer os.RemoveAll(dir)
		if azure, err = standin.StartAzureAPI(dir); err != nil {
			fmt.Fprintf(os.Stderr, "standin: %v\n", err)
			return 1
		}
		defer azure.Close()
		opts = append(opts, standin.WithBlobEndpoint(azure.BlobEndpoint))
	}
	var servers []*standin.Server
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
	}()
	for _, name := range flag.Args() {
		s, err := standin.Start(name, opts...)
		if err != nil {
			fmt.Fprintf(os.Stderr, "standin: %v\n", err)
			return 1
		}
		servers = append(servers, s)
	}
	api, err := standin.StartAWSAPI()
	if err != nil {
		fmt.Fprintf(os.Stderr, "standin: %v\n", err)
		return 1
	}
	defer api.Close()

	fmt.Printf("export PULUMI_DEBUG_PROVIDERS=%s\n", standin.DebugProvidersEnv(servers...))
	fmt.Printf("export AWS_ENDPOINT_URL=%s AWS_REGION=%s AWS_ACCESS_KEY_ID=standin AWS_SECRET_ACCESS_KEY=standin\n",
		api.URL, *region)
	if azure != nil {
		env := azure.Env()
		for i, kv := range env {
			k, v, _ := strings.Cut(kv, "=")
			env[i] = k + "='" + strings.ReplaceAll(v, "'", `'\''`) + "'"
		}
		fmt.Printf("export %s\n", strings.Join(env, " "))
	}
	fmt.Fprintln(os.Stderr, "standin: serving; interrupt to stop")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return 0
}
