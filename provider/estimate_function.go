package provider

import (
	"context"
	"fmt"

	"github.com/pulumi/pulumi-go-provider/infer"
)

// The defang:index:estimate function prices what a Project would deploy,
// offline. Its schema (inputs and outputs below) is part of every build of
// the provider, so that schema.json and the SDKs always carry it; its
// implementation plans the compose app with package plan and prices the
// planned resources with package estimate. Both import this package (plan
// runs this provider's components under a mock monitor), so this package
// cannot import them: the implementation is handed to New with
// WithEstimator, which the plugin's main does
// (provider.New(provider.WithEstimator(estimate.Invoke))).

// EstimateArgs are the inputs of defang:index:estimate.
type EstimateArgs struct {
	ComposeFiles []string          `pulumi:"composeFiles,optional"`
	ComposeYaml  string            `pulumi:"composeYaml,optional"`
	ProjectName  string            `pulumi:"projectName,optional"`
	Profiles     []string          `pulumi:"profiles,optional"`
	Variables    map[string]string `pulumi:"variables,optional"`
	Cloud        string            `pulumi:"cloud,optional"`
	Mode         string            `pulumi:"mode,optional"`
	Region       string            `pulumi:"region,optional"`
}

func (a *EstimateArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ComposeFiles, "Compose files, merged in order like `docker compose -f a -f b`. Default: compose.yaml (or compose.yml, docker-compose.yaml, docker-compose.yml) in the program directory. Give composeFiles or composeYaml, not both.")
	an.Describe(&a.ComposeYaml, "The compose application as inline YAML, instead of composeFiles.")
	an.Describe(&a.ProjectName, "The project name. Default: the compose `name:`, then the program directory's name.")
	an.Describe(&a.Profiles, "Compose profiles to enable.")
	an.Describe(&a.Variables, "Interpolation values for `${NAME}` in the compose file (a `.env` next to it is read too).")
	an.Describe(&a.Cloud, "aws or azure. Default: the provider config `defang:cloud`, then DEFANG_PROVIDER.")
	an.Describe(&a.Mode, "affordable, balanced or high_availability. Default: the provider config `defang:mode`, then DEFANG_MODE, then affordable.")
	an.Describe(&a.Region, "The region whose prices apply (AWS: us-east-1, us-west-2, eu-west-1). Default: us-east-1.")
}

// EstimateResult is the output of defang:index:estimate.
type EstimateResult struct {
	Cloud       string             `pulumi:"cloud"`
	Region      string             `pulumi:"region"`
	Mode        string             `pulumi:"mode"`
	Currency    string             `pulumi:"currency"`
	PricesAsOf  string             `pulumi:"pricesAsOf"`
	MonthlyUsd  float64            `pulumi:"monthlyUsd"`
	LineItems   []EstimateLineItem `pulumi:"lineItems"`
	Assumptions []string           `pulumi:"assumptions"`
}

func (r *EstimateResult) Annotate(a infer.Annotator) {
	a.Describe(&r.Cloud, "The cloud priced.")
	a.Describe(&r.Region, "The region whose prices apply.")
	a.Describe(&r.Mode, "The deployment mode priced.")
	a.Describe(&r.Currency, "The currency of every amount: USD.")
	a.Describe(&r.PricesAsOf, "The month the bundled price table reflects (public on-demand list prices).")
	a.Describe(&r.MonthlyUsd, "The estimated monthly total: the sum of the line items.")
	a.Describe(&r.LineItems, "One line per priced quantity of a planned resource.")
	a.Describe(&r.Assumptions, "Every assumption behind the numbers: hours in a month, Spot discounts, log volume, build minutes, capacity units, storage.")
}

// EstimateLineItem is one priced quantity of one planned resource.
type EstimateLineItem struct {
	Service      string  `pulumi:"service"`
	Resource     string  `pulumi:"resource"`
	Description  string  `pulumi:"description"`
	Quantity     float64 `pulumi:"quantity"`
	Unit         string  `pulumi:"unit"`
	UnitPriceUsd float64 `pulumi:"unitPriceUsd"`
	MonthlyUsd   float64 `pulumi:"monthlyUsd"`
}

func (l *EstimateLineItem) Annotate(a infer.Annotator) {
	a.SetToken("index", "EstimateLineItem")
	a.Describe(l, "One priced quantity of one planned resource.")
	a.Describe(&l.Service, "The compose service the resource belongs to, or (shared) for the network, load balancers and build pipeline.")
	a.Describe(&l.Resource, "The URN of the planned resource.")
	a.Describe(&l.Description, "What is priced.")
	a.Describe(&l.Quantity, "The monthly quantity, in unit.")
	a.Describe(&l.Unit, "The unit of quantity and unitPriceUsd (hour, vCPU-hour, GB-month, ...).")
	a.Describe(&l.UnitPriceUsd, "The price of one unit, in USD.")
	a.Describe(&l.MonthlyUsd, "quantity × unitPriceUsd, in USD.")
}

// Estimator implements defang:index:estimate: plan, then price.
type Estimator func(ctx context.Context, args EstimateArgs) (EstimateResult, error)

// Option configures New.
type Option func(*options)

type options struct {
	estimator Estimator
}

// WithEstimator serves defang:index:estimate with e. Without it the
// function is in the schema but fails when called.
func WithEstimator(e Estimator) Option {
	return func(o *options) { o.estimator = e }
}

// EstimateFunction is defang:index:estimate.
type EstimateFunction struct {
	estimator Estimator
}

func (f *EstimateFunction) Annotate(a infer.Annotator) {
	a.SetToken("index", "estimate")
	a.Describe(f, "The monthly cost of a compose application for a cloud, mode and region, offline: the resources a defang:index:Project would create are planned by the same component code, without a cloud account, and priced from a bundled, dated table of public on-demand list prices. Config values are not needed: every secret the compose app reads is planned with a placeholder.")
}

// Invoke plans and prices.
func (f *EstimateFunction) Invoke(ctx context.Context, req infer.FunctionRequest[EstimateArgs]) (infer.FunctionResponse[EstimateResult], error) {
	if f.estimator == nil {
		return infer.FunctionResponse[EstimateResult]{}, fmt.Errorf("defang:index:estimate is not served by this build of the provider")
	}
	out, err := f.estimator(ctx, req.Input)
	if err != nil {
		return infer.FunctionResponse[EstimateResult]{}, err
	}
	if out.LineItems == nil {
		out.LineItems = []EstimateLineItem{}
	}
	if out.Assumptions == nil {
		out.Assumptions = []string{}
	}
	return infer.FunctionResponse[EstimateResult]{Output: out}, nil
}
