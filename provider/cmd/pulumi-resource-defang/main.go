// Command pulumi-resource-defang serves the defang Pulumi provider.
package main

import (
	"context"
	"fmt"
	"os"

	p "github.com/pulumi/pulumi-go-provider"

	"github.com/DefangLabs/pulumi-defang/provider"
	"github.com/DefangLabs/pulumi-defang/provider/estimate"
	"github.com/DefangLabs/pulumi-defang/provider/version"
)

func main() {
	// defang:index:estimate plans with package plan, which imports
	// package provider: its implementation is handed in here.
	prov, err := provider.New(provider.WithEstimator(estimate.Invoke))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	if err := p.RunProvider(context.Background(), provider.Name, version.Version, prov); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
