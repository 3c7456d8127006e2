#pragma once
namespace floe::cli {
// floe replicate --config FILE [--endpoint-url URL] [--region NAME] [--state-dir DIR]
//                [--warehouse DIR]: replicates tables of any DynamoDB Streams endpoint into
// Iceberg (docs/replicator.md).
int Replicate(int argc, char** argv);
}  // namespace floe::cli
