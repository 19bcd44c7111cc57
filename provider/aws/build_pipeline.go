package aws

import (
	"fmt"
	"sort"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/codebuild"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/ecr"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi-go-provider/infer"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/DefangLabs/pulumi-defang/provider/buildcontext"
	"github.com/DefangLabs/pulumi-defang/provider/imagebuild"
	"github.com/DefangLabs/pulumi-defang/provider/internal/outputs"
	"github.com/DefangLabs/pulumi-defang/provider/mode"
	"github.com/DefangLabs/pulumi-defang/provider/spec"
)

// codeBuildImage is the CodeBuild managed image that runs docker builds.
const codeBuildImage = "aws/codebuild/amazonlinux-x86_64-standard:5.0"

// BuildSpec is one image to build; the shape is shared by both clouds
// (provider/spec).
type BuildSpec = spec.Build

// BuildPipelineArgs are the inputs of defang:aws:BuildPipeline.
type BuildPipelineArgs struct {
	ProjectName string      `pulumi:"projectName"`
	Mode        string      `pulumi:"mode,optional"`
	Builds      []BuildSpec `pulumi:"builds"`
}

func (a *BuildPipelineArgs) Annotate(an infer.Annotator) {
	an.Describe(&a.ProjectName, "The project name, used in resource names.")
	an.Describe(&a.Mode, "Deployment mode: sets the CodeBuild compute size and log retention.")
	an.Describe(&a.Builds, "The images to build, one per service with a compose `build:`.")
}

// BuildPipeline is defang:aws:BuildPipeline.
type BuildPipeline struct {
	pulumi.ResourceState

	SourceBucket     pulumi.StringOutput    `pulumi:"sourceBucket"`
	CodeBuildProject pulumi.StringOutput    `pulumi:"codeBuildProject"`
	RepositoryUrls   pulumi.StringMapOutput `pulumi:"repositoryUrls"`
	RepositoryArns   pulumi.StringMapOutput `pulumi:"repositoryArns"`
	// ImageUris maps each service to its built image, by digest.
	ImageUris pulumi.StringMapOutput `pulumi:"imageUris"`
}

func (b *BuildPipeline) Annotate(a infer.Annotator) {
	a.SetToken("aws", "BuildPipeline")
	a.Describe(&b, "Builds a project's images in its own AWS account: a private source bucket for packed build contexts, one ECR repository per built service, a CodeBuild project with a least-privilege role and a log group, and one ImageBuild per service that rebuilds only when its context or build settings change.")
	a.Describe(&b.SourceBucket, "S3 bucket holding the packed build contexts.")
	a.Describe(&b.CodeBuildProject, "The CodeBuild project name.")
	a.Describe(&b.RepositoryUrls, "Service to ECR repository URL.")
	a.Describe(&b.RepositoryArns, "Service to ECR repository ARN.")
	a.Describe(&b.ImageUris, "Service to the built image, referenced by digest.")
}

// NewBuildPipeline creates the build infrastructure and one ImageBuild per
// service.
func NewBuildPipeline(ctx *pulumi.Context, name string, args BuildPipelineArgs, opts ...pulumi.ResourceOption) (*BuildPipeline, error) {
	comp := &BuildPipeline{}
	if err := ctx.RegisterComponentResource("defang:aws:BuildPipeline", name, comp, opts...); err != nil {
		return nil, err
	}
	m, err := mode.Parse(args.Mode)
	if err != nil {
		return nil, err
	}
	settings := settingsFor(m)
	parent := pulumi.Parent(comp)
	builds := append([]BuildSpec(nil), args.Builds...)
	sort.Slice(builds, func(i, j int) bool { return builds[i].Service < builds[j].Service })

	// Hash every context before creating anything, so that a missing
	// Dockerfile fails the preview instead of half an update.
	digests := make([]string, len(builds))
	for i, b := range builds {
		digest, err := buildcontext.Digest(b.Context, dockerfileOf(b))
		if err != nil {
			return nil, fmt.Errorf("service %q: build: %w", b.Service, err)
		}
		digests[i] = digest
	}

	names, err := newNamer(ctx)
	if err != nil {
		return nil, err
	}
	bucket, err := privateBucket(ctx, name+"-source", names.bucketName(ctx, name+"-source", parent), parent)
	if err != nil {
		return nil, err
	}
	logGroup, err := cloudwatch.NewLogGroup(ctx, name, &cloudwatch.LogGroupArgs{
		Name:            pulumi.String(logGroupName(args.ProjectName, ctx.Stack(), "builds")),
		RetentionInDays: pulumi.Int(settings.LogRetentionDays),
	}, parent)
	if err != nil {
		return nil, err
	}

	repoURLs, repoArns := pulumi.StringMap{}, pulumi.StringMap{}
	var repoArnList pulumi.StringArray
	for _, b := range builds {
		repo, err := ecr.NewRepository(ctx, name+"-"+b.Service, &ecr.RepositoryArgs{
			Name:               pulumi.String(repositoryName(args.ProjectName, ctx.Stack(), b.Service)),
			ImageTagMutability: pulumi.String("MUTABLE"), // a retried build pushes the same digest tag again
			ImageScanningConfiguration: &ecr.RepositoryImageScanningConfigurationArgs{
				ScanOnPush: pulumi.Bool(true),
			},
			EncryptionConfigurations: ecr.RepositoryEncryptionConfigurationArray{
				&ecr.RepositoryEncryptionConfigurationArgs{EncryptionType: pulumi.String("AES256")},
			},
			ForceDelete: pulumi.Bool(true), // images are rebuilt from source; destroy must not stall on them
		}, parent)
		if err != nil {
			return nil, err
		}
		if _, err := ecr.NewLifecyclePolicy(ctx, name+"-"+b.Service, &ecr.LifecyclePolicyArgs{
			Repository: repo.Name,
			Policy:     pulumi.String(`{"rules":[{"rulePriority":1,"description":"Keep the last 10 images","selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":10},"action":{"type":"expire"}}]}`),
		}, parent); err != nil {
			return nil, err
		}
		repoURLs[b.Service] = repo.RepositoryUrl
		repoArns[b.Service] = repo.Arn
		repoArnList = append(repoArnList, repo.Arn)
	}

	role, err := iam.NewRole(ctx, name+"-codebuild", &iam.RoleArgs{
		Name:             names.input(specRole, name+"-codebuild", name+"-codebuild"),
		AssumeRolePolicy: pulumi.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"codebuild.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
		Description:      pulumi.Sprintf("CodeBuild role of %s: reads build contexts, pushes images, writes build logs", args.ProjectName),
	}, parent)
	if err != nil {
		return nil, err
	}
	policy, err := iam.NewRolePolicy(ctx, name+"-codebuild", &iam.RolePolicyArgs{
		Name: names.input(specRolePolicy, name+"-codebuild", name+"-codebuild"),
		Role: role.Name,
		Policy: pulumi.All(bucket.Arn, logGroup.Arn, repoArnList).ApplyT(func(v []any) string {
			return codeBuildPolicy(v[0].(string), v[1].(string), v[2].([]string))
		}).(pulumi.StringOutput),
	}, parent)
	if err != nil {
		return nil, err
	}
	project, err := codebuild.NewProject(ctx, name, &codebuild.ProjectArgs{
		Name:         names.input(specCodeBuild, name, name),
		Description:  pulumi.Sprintf("Builds the images of %s", args.ProjectName),
		ServiceRole:  role.Arn,
		BuildTimeout: pulumi.Int(60),
		Artifacts:    &codebuild.ProjectArtifactsArgs{Type: pulumi.String("NO_ARTIFACTS")},
		Environment: &codebuild.ProjectEnvironmentArgs{
			ComputeType:    pulumi.String(settings.BuildCompute),
			Image:          pulumi.String(codeBuildImage),
			Type:           pulumi.String("LINUX_CONTAINER"),
			PrivilegedMode: pulumi.Bool(true), // docker build needs the daemon
		},
		// Each ImageBuild starts the project with its own buildspec, which
		// fetches the packed context from the source bucket (CodeBuild's S3
		// source takes only zip files) and runs the docker build.
		Source: &codebuild.ProjectSourceArgs{Type: pulumi.String("NO_SOURCE"), Buildspec: pulumi.String(defaultBuildspec)},
		LogsConfig: &codebuild.ProjectLogsConfigArgs{
			CloudwatchLogs: &codebuild.ProjectLogsConfigCloudwatchLogsArgs{GroupName: logGroup.Name},
		},
	}, parent, pulumi.DependsOn([]pulumi.Resource{policy}))
	if err != nil {
		return nil, err
	}

	region := regionOf(ctx, comp)
	images := pulumi.StringMap{}
	for i, b := range builds {
		build, err := imagebuild.Register(ctx, "defang:aws:ImageBuild", name+"-"+b.Service, pulumi.Map{
			"contextPath":      pulumi.String(b.Context),
			"contextDigest":    pulumi.String(digests[i]),
			"dockerfile":       pulumi.String(dockerfileOf(b)),
			"target":           pulumi.String(b.Target),
			"buildArgs":        pulumi.ToStringMap(b.Args),
			"platform":         pulumi.String(platformOf(b)),
			"bucket":           bucket.Bucket,
			"codeBuildProject": project.Name,
			"repositoryUrl":    repoURLs[b.Service],
			"region":           region,
		}, parent)
		if err != nil {
			return nil, err
		}
		images[b.Service] = build.ImageUri
	}

	comp.SourceBucket = bucket.Bucket
	comp.CodeBuildProject = project.Name
	comp.RepositoryUrls = repoURLs.ToStringMapOutput()
	comp.RepositoryArns = repoArns.ToStringMapOutput()
	comp.ImageUris = images.ToStringMapOutput()
	return comp, outputs.Register(ctx, comp)
}

func dockerfileOf(b BuildSpec) string {
	if b.Dockerfile == "" {
		return "Dockerfile"
	}
	return b.Dockerfile
}

func platformOf(b BuildSpec) string {
	if b.Platform == "" {
		return "linux/amd64"
	}
	return b.Platform
}

// defaultBuildspec only fails: the project is always started with an
// ImageBuild's buildspec override.
const defaultBuildspec = `version: 0.2
phases:
  build:
    commands:
      - echo "This project is started by defang:aws:ImageBuild with its own buildspec." && exit 1
`

// privateBucket is an S3 bucket with every public access path blocked,
// encryption at rest, bucket-owner-only objects, and packed contexts expiring
// after a week (they are re-uploaded whenever a build needs them).
func privateBucket(ctx *pulumi.Context, name string, bucketName pulumi.StringPtrInput, parent pulumi.ResourceOption) (*s3.BucketV2, error) {
	bucket, err := s3.NewBucketV2(ctx, name, &s3.BucketV2Args{Bucket: bucketName, ForceDestroy: pulumi.Bool(true)}, parent)
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPublicAccessBlock(ctx, name, &s3.BucketPublicAccessBlockArgs{
		Bucket: bucket.ID(), BlockPublicAcls: pulumi.Bool(true), BlockPublicPolicy: pulumi.Bool(true),
		IgnorePublicAcls: pulumi.Bool(true), RestrictPublicBuckets: pulumi.Bool(true),
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketOwnershipControls(ctx, name, &s3.BucketOwnershipControlsArgs{
		Bucket: bucket.ID(),
		Rule:   &s3.BucketOwnershipControlsRuleArgs{ObjectOwnership: pulumi.String("BucketOwnerEnforced")},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketServerSideEncryptionConfigurationV2(ctx, name, &s3.BucketServerSideEncryptionConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketServerSideEncryptionConfigurationV2RuleArray{&s3.BucketServerSideEncryptionConfigurationV2RuleArgs{
			ApplyServerSideEncryptionByDefault: &s3.BucketServerSideEncryptionConfigurationV2RuleApplyServerSideEncryptionByDefaultArgs{
				SseAlgorithm: pulumi.String("AES256"),
			},
		}},
	}, parent); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLifecycleConfigurationV2(ctx, name, &s3.BucketLifecycleConfigurationV2Args{
		Bucket: bucket.ID(),
		Rules: s3.BucketLifecycleConfigurationV2RuleArray{&s3.BucketLifecycleConfigurationV2RuleArgs{
			Id: pulumi.String("expire-contexts"), Status: pulumi.String("Enabled"),
			Filter:     &s3.BucketLifecycleConfigurationV2RuleFilterArgs{Prefix: pulumi.String("contexts/")},
			Expiration: &s3.BucketLifecycleConfigurationV2RuleExpirationArgs{Days: pulumi.Int(7)},
		}},
	}, parent); err != nil {
		return nil, err
	}
	return bucket, nil
}

// codeBuildPolicy lets the build read its contexts, push to the project's
// repositories and write its log group.
func codeBuildPolicy(bucketArn, logGroupArn string, repoArns []string) string {
	repos := append([]string(nil), repoArns...)
	sort.Strings(repos)
	return policyDocument{Version: "2012-10-17", Statement: []policyStatement{
		{Sid: "Logs", Effect: "Allow", Action: []string{"logs:CreateLogStream", "logs:PutLogEvents"}, Resource: []string{logGroupArn + ":*"}},
		{Sid: "Contexts", Effect: "Allow", Action: []string{"s3:GetObject", "s3:GetObjectVersion"}, Resource: []string{bucketArn + "/contexts/*"}},
		// GetAuthorizationToken has no resource-level form: AWS only accepts
		// "*" for it. Pushes are scoped to the project's repositories below.
		{Sid: "EcrLogin", Effect: "Allow", Action: []string{"ecr:GetAuthorizationToken"}, Resource: []string{"*"}},
		{Sid: "EcrPush", Effect: "Allow", Action: []string{
			"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImages",
			"ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart",
		}, Resource: repos},
	}}.String()
}
