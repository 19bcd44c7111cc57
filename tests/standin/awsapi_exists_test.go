package standin

import (
	"context"
	"strings"
	"testing"

	awssdk "github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codebuild"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
)

// Where moto and the fake disagreed, AWS sides with moto: an upload to a
// bucket that does not exist fails with NoSuchBucket, and a build of a
// project that does not exist with ResourceNotFoundException
// (provider/aws/image_build_moto_test.go asks moto the same).
func TestAWSAPIRefusesWhatDoesNotExist(t *testing.T) {
	api, err := StartAWSAPI()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(api.Close)
	api.SetExisting(func(kind, name string) bool {
		return (kind == KindBucket && name == "defang-src") || (kind == KindCodeBuildProject && name == "defang-builds")
	})
	s3c, cb, _ := awsClients(t, api)
	ctx := context.Background()
	put := func(bucket string) error {
		_, err := s3c.PutObject(ctx, &s3.PutObjectInput{Bucket: awssdk.String(bucket), Key: awssdk.String("contexts/a.tar.gz"),
			Body: strings.NewReader("x")})
		return err
	}
	if err := put("defang-src"); err != nil {
		t.Errorf("PutObject to an existing bucket: %v", err)
	}
	if err := put("no-such-bucket"); err == nil || !strings.Contains(err.Error(), "NoSuchBucket") {
		t.Errorf("PutObject to a missing bucket = %v, want NoSuchBucket", err)
	}
	start := func(project string) error {
		_, err := cb.StartBuild(ctx, &codebuild.StartBuildInput{ProjectName: awssdk.String(project)})
		return err
	}
	if err := start("defang-builds"); err != nil {
		t.Errorf("StartBuild of an existing project: %v", err)
	}
	if err := start("no-such-project"); err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") ||
		!strings.Contains(err.Error(), "Project cannot be found: arn:aws:codebuild:us-west-2:") {
		t.Errorf("StartBuild of a missing project = %v, want ResourceNotFoundException", err)
	}
}

// ExistingIn answers from what the aws stand-in created: an autonamed
// bucket by its generated name, a CodeBuild project by its name.
func TestExistingIn(t *testing.T) {
	s, c := start(t, AWS)
	exists := ExistingIn(s)
	if exists(KindBucket, "anything") || exists(KindCodeBuildProject, "defang-builds") {
		t.Fatal("an empty stand-in has resources")
	}
	_, bucket := create(t, c, "urn:pulumi:dev::app::aws:s3/bucketV2:BucketV2::src", resource.PropertyMap{}, false)
	create(t, c, "urn:pulumi:dev::app::aws:codebuild/project:Project::builds",
		resource.PropertyMap{"name": resource.NewProperty("defang-builds")}, false)
	if name := bucket["bucket"].StringValue(); name == "" || !exists(KindBucket, name) {
		t.Errorf("the created bucket %q does not exist", name)
	}
	if !exists(KindCodeBuildProject, "defang-builds") || exists(KindCodeBuildProject, "other") {
		t.Error("CodeBuild projects are not answered from the stand-in")
	}
}
