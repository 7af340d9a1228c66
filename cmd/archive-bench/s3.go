package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3/types"
)

// s3Env is the S3 server the bench writes to, as scripts/servers/s3.sh exports it.
type s3Env struct {
	Endpoint, AccessKey, SecretKey string
	client                         *s3.Client
}

func s3FromEnv() (s3Env, error) {
	e := s3Env{Endpoint: os.Getenv("RTK_TEST_S3_ENDPOINT"), AccessKey: os.Getenv("RTK_TEST_S3_ACCESS_KEY"), SecretKey: os.Getenv("RTK_TEST_S3_SECRET_KEY")}
	if e.Endpoint == "" || e.AccessKey == "" {
		return e, errors.New("RTK_TEST_S3_ENDPOINT and RTK_TEST_S3_ACCESS_KEY are not set: run it through scripts/bench.sh")
	}
	e.client = s3.New(s3.Options{
		BaseEndpoint: aws.String(e.Endpoint), UsePathStyle: true, Region: "us-east-1",
		Credentials:                aws.NewCredentialsCache(credentials.NewStaticCredentialsProvider(e.AccessKey, e.SecretKey, "")),
		RequestChecksumCalculation: aws.RequestChecksumCalculationWhenRequired,
		ResponseChecksumValidation: aws.ResponseChecksumValidationWhenRequired,
	})
	return e, nil
}

func (e s3Env) createBucket(ctx context.Context, b string) error {
	_, err := e.client.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: &b})
	if err != nil {
		return fmt.Errorf("create bucket %s: %w", b, err)
	}
	return nil
}

// emptyBucket deletes every object, so runs do not fill the disk.
func (e s3Env) emptyBucket(ctx context.Context, b string) error {
	p := s3.NewListObjectsV2Paginator(e.client, &s3.ListObjectsV2Input{Bucket: &b})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return err
		}
		var ids []types.ObjectIdentifier
		for _, o := range page.Contents {
			ids = append(ids, types.ObjectIdentifier{Key: o.Key})
		}
		for len(ids) > 0 {
			n := min(len(ids), 1000)
			if _, err := e.client.DeleteObjects(ctx, &s3.DeleteObjectsInput{Bucket: &b, Delete: &types.Delete{Objects: ids[:n], Quiet: aws.Bool(true)}}); err != nil {
				for _, id := range ids[:n] {
					e.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: &b, Key: id.Key})
				}
			}
			ids = ids[n:]
		}
	}
	return nil
}

func (e s3Env) deleteBucket(ctx context.Context, b string) {
	e.client.DeleteBucket(ctx, &s3.DeleteBucketInput{Bucket: &b})
}
