// Command standin serves stand-in cloud providers (and the fake AWS API)
// for running the Pulumi CLI against our plugin by hand:
//
//	standin [-region us-west-2] [-record calls.jsonl] aws random
//
// It prints the PULUMI_DEBUG_PROVIDERS value and the AWS API URL as shell
// exports, then serves until interrupted.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/signal"
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
	fmt.Fprintln(os.Stderr, "standin: serving; interrupt to stop")

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return 0
}
