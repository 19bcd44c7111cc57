// Command defang-plan prints what `pulumi up` of a defang.Project would
// create for a compose application, without any cloud account: it runs the
// provider's own component code under a mock resource monitor.
//
//	defang-plan [flags] [compose files...]
//
// With no files it discovers compose.yaml (and friends) in the current
// directory, like `docker compose`. Invalid compose input exits with status 1
// and every problem on stderr. --estimate adds the monthly cost of the
// planned resources in --region (package estimate): an "estimate" object in
// the JSON, a table after the tree.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/DefangLabs/pulumi-defang/provider/compose"
	"github.com/DefangLabs/pulumi-defang/provider/estimate"
	"github.com/DefangLabs/pulumi-defang/provider/plan"
)

// keyValues is a repeatable NAME=VALUE flag.
type keyValues map[string]string

func (kv keyValues) String() string { return "" }
func (kv keyValues) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	kv[k] = v
	return nil
}

type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(s string) error { *l = append(*l, s); return nil }

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(argv []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("defang-plan", flag.ContinueOnError)
	fs.SetOutput(stderr)
	opts := plan.Options{Config: keyValues{}, Variables: keyValues{}}
	var profiles stringList
	format := fs.String("format", "tree", "output format: tree or json")
	withEstimate := fs.Bool("estimate", false, "add the estimated monthly cost of the planned resources in --region")
	fs.StringVar(&opts.Cloud, "cloud", os.Getenv("DEFANG_PROVIDER"), "cloud: aws or azure (default $DEFANG_PROVIDER)")
	fs.StringVar(&opts.Mode, "mode", os.Getenv("DEFANG_MODE"), "mode: affordable, balanced or high_availability (default $DEFANG_MODE, then affordable)")
	fs.StringVar(&opts.ProjectName, "project-name", "", "project name (default: compose name:, then the directory name)")
	fs.StringVar(&opts.Stack, "stack", "dev", "stack name used in resource names")
	fs.StringVar(&opts.Region, "region", "", "AWS region or Azure location the plan is for, and whose prices --estimate uses (default "+plan.DefaultRegion+" on aws, "+plan.DefaultAzureLocation+" on azure)")
	fs.Var(keyValues(opts.Config), "config", "config value NAME=VALUE (repeatable); values are shown as [secret]")
	fs.Var(keyValues(opts.Variables), "var", "interpolation variable NAME=VALUE (repeatable)")
	fs.Var(&profiles, "profile", "compose profile to enable (repeatable)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: defang-plan [flags] [compose files...]")
		fs.PrintDefaults()
	}
	if err := fs.Parse(argv); err != nil {
		return 2
	}
	if *format != "tree" && *format != "json" {
		fmt.Fprintf(stderr, "defang-plan: unknown --format %q: use tree or json\n", *format)
		return 2
	}
	opts.Profiles = profiles
	if opts.Region == "" {
		opts.Region = plan.DefaultRegionFor(opts.Cloud)
	}
	if *withEstimate && opts.Cloud != "" {
		if err := estimate.CheckRegion(opts.Cloud, opts.Region); err != nil {
			fmt.Fprintf(stderr, "defang-plan: --estimate: %v\n", err)
			return 1
		}
	}
	opts.ComposeFiles = fs.Args()
	if len(opts.ComposeFiles) == 0 {
		wd, err := os.Getwd()
		if err == nil {
			opts.ComposeFiles, err = compose.DiscoverFiles(wd)
		}
		if err != nil {
			fmt.Fprintf(stderr, "defang-plan: %v\n", err)
			return 1
		}
	}

	result, err := plan.Run(context.Background(), opts)
	if err != nil {
		var problems compose.Errors
		var refused plan.Refused
		if errors.As(err, &problems) {
			fmt.Fprintf(stderr, "defang-plan: invalid compose application (%d problems):\n", len(problems))
			for _, d := range problems {
				fmt.Fprintf(stderr, "  %s\n", d)
			}
		} else if errors.As(err, &refused) {
			// Each names the service, the resource and the limit, in the
			// words of the provider or API that would refuse it.
			fmt.Fprintf(stderr, "defang-plan: %s would refuse this plan (%d problems):\n", cloudName(opts.Cloud), len(refused))
			for _, r := range refused {
				fmt.Fprintf(stderr, "  %s\n", r)
			}
		} else {
			fmt.Fprintf(stderr, "defang-plan: %v\n", err)
		}
		return 1
	}
	for _, w := range result.Warnings {
		fmt.Fprintf(stderr, "warning: %s\n", w)
	}
	var est *estimate.Estimate
	if *withEstimate {
		e, err := estimate.ForPlan(result, opts.Region)
		if err != nil {
			fmt.Fprintf(stderr, "defang-plan: --estimate: %v\n", err)
			return 1
		}
		est = &e
	}
	if *format == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		out := struct {
			*plan.Result
			Estimate *estimate.Estimate `json:"estimate,omitempty"`
		}{result, est}
		if err := enc.Encode(out); err != nil {
			fmt.Fprintf(stderr, "defang-plan: %v\n", err)
			return 1
		}
		return 0
	}
	printTree(stdout, result)
	if est != nil {
		printEstimate(stdout, est)
	}
	return 0
}

// printEstimate prints the line items as a table, the total and the
// assumptions.
func printEstimate(w io.Writer, e *estimate.Estimate) {
	fmt.Fprintf(w, "Estimated monthly cost on %s %s (%s), %s, prices as of %s:\n", e.Cloud, e.Region, e.Mode, e.Currency, e.PricesAsOf)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "    SERVICE\tRESOURCE\tDESCRIPTION\tQUANTITY\tUNIT\tUNIT PRICE\tMONTHLY")
	for _, it := range e.LineItems {
		fmt.Fprintf(tw, "    %s\t%s\t%s\t%s\t%s\t%s\t%s\n", it.Service, shortURN(it.Resource), it.Description,
			strconv.FormatFloat(it.Quantity, 'f', -1, 64), it.Unit, strconv.FormatFloat(it.UnitPrice, 'f', -1, 64), usd(it.MonthlyUsd))
	}
	fmt.Fprintf(tw, "    TOTAL\t\t\t\t\t\t%s\n", usd(e.MonthlyUsd))
	tw.Flush()
	fmt.Fprintln(w, "Assumptions:")
	for _, a := range e.Assumptions {
		fmt.Fprintf(w, "    - %s\n", a)
	}
}

// usd formats an amount in dollars and cents; a positive amount below half
// a cent shows as <0.01 rather than 0.00.
func usd(v float64) string {
	if v > 0 && v < 0.005 {
		return "<0.01"
	}
	return fmt.Sprintf("%.2f", v)
}

// shortURN is a URN's last type and name: "aws:ecs/service:Service::shop-web".
func shortURN(urn string) string {
	if i := strings.LastIndex(urn, "$"); i >= 0 {
		return urn[i+1:]
	}
	if i := strings.Index(urn, "::"); i >= 0 {
		if j := strings.Index(urn[i+2:], "::"); j >= 0 {
			return urn[i+2+j+2:]
		}
	}
	return urn
}

// printTree prints the resources as the parent/child tree `pulumi up` shows.
func printTree(w io.Writer, r *plan.Result) {
	children := map[string][]plan.Resource{}
	urns := map[string]bool{}
	for _, res := range r.Resources {
		urns[res.URN] = true
	}
	var roots []plan.Resource
	for _, res := range r.Resources {
		if urns[res.Parent] {
			children[res.Parent] = append(children[res.Parent], res)
		} else {
			roots = append(roots, res)
		}
	}
	fmt.Fprintf(w, "Plan of %q on %s (%s): %d resources\n", r.Project, r.Cloud, r.Mode, len(r.Resources))
	var walk func(res plan.Resource, depth int)
	walk = func(res plan.Resource, depth int) {
		fmt.Fprintf(w, "%s+ %s  %s\n", strings.Repeat("    ", depth), res.Type, res.Name)
		kids := children[res.URN]
		sort.Slice(kids, func(i, j int) bool { return kids[i].URN < kids[j].URN })
		for _, k := range kids {
			walk(k, depth+1)
		}
	}
	for _, res := range roots {
		walk(res, 0)
	}
	if len(r.Outputs) > 0 {
		fmt.Fprintln(w, "Outputs:")
		keys := make([]string, 0, len(r.Outputs))
		for k := range r.Outputs {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			b, _ := json.Marshal(r.Outputs[k])
			fmt.Fprintf(w, "    %s: %s\n", k, b)
		}
	}
}

// cloudName is how errors name the cloud of a plan.
func cloudName(cloud string) string {
	switch cloud {
	case "azure":
		return "Azure"
	case "aws":
		return "AWS"
	}
	return "the cloud"
}
