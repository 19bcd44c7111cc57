package aws

import (
	"context"
	"fmt"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

// imageBuildClients holds the three AWS API clients an ImageBuild uses. It is
// a struct of concrete SDK clients rather than interfaces so that tests drive
// the real SDK (signing, serialisation, error mapping) against a loopback
// fake instead of a hand-written stub that could disagree with AWS.
//
// Least privilege for the credentials the provider runs with, per build:
//
//	s3:GetObject, s3:PutObject   on arn:aws:s3:::<bucket>/contexts/*
//	s3:ListBucket                on arn:aws:s3:::<bucket> (so a missing object is a 404, not a 403)
//	codebuild:StartBuild, codebuild:BatchGetBuilds, codebuild:StopBuild
//	                             on the CodeBuild project's ARN
//	logs:GetLogEvents            on the project's log group (only read when a build fails)
//
// The CodeBuild project's own service role needs s3:GetObject on the same
// prefix, ECR push rights on the repository plus ecr:GetAuthorizationToken,
// and logs:CreateLogStream/PutLogEvents on its log group.
type imageBuildClients struct {
	S3        *s3.Client
	CodeBuild *codebuild.Client
	Logs      *cloudwatchlogs.Client
}

// newImageBuildClients builds the clients from an AWS configuration.
// pathStyleS3 makes S3 address buckets by path instead of by virtual host,
// which a loopback endpoint needs (there is no DNS for <bucket>.127.0.0.1).
func newImageBuildClients(cfg awssdk.Config, pathStyleS3 bool) *imageBuildClients {
	return &imageBuildClients{
		S3: s3.NewFromConfig(cfg, func(o *s3.Options) {
			o.UsePathStyle = pathStyleS3
		}),
		CodeBuild: codebuild.NewFromConfig(cfg),
		Logs:      cloudwatchlogs.NewFromConfig(cfg),
	}
}

// loadImageBuildClients resolves credentials with the standard AWS chain
// (environment, shared config and SSO profiles, web identity, container and
// instance roles), in the given region when one is set and otherwise in the
// region that chain names. AWS_ENDPOINT_URL (and the per-service
// AWS_ENDPOINT_URL_<SERVICE>) redirect the calls, as everywhere in the SDK.
func loadImageBuildClients(ctx context.Context, region string) (*imageBuildClients, error) {
	var opts []func(*config.LoadOptions) error
	if region != "" {
		opts = append(opts, config.WithRegion(region))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("loading AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region: set the region input or AWS_REGION")
	}
	// A custom endpoint (AWS_ENDPOINT_URL, as LocalStack-style emulators and
	// our engine tests' stand-in set it) rarely has DNS for
	// <bucket>.<endpoint>, so address S3 buckets by path there.
	return newImageBuildClients(cfg, cfg.BaseEndpoint != nil), nil
}
