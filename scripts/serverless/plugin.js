'use strict';
// The osls plugin of sdw: two hooks, no osls internals.
//   before:aws:package:finalize:saveServiceState  hand the compiled template to `sdw deploy finalize`
//                                            (drops redundant DependsOn, fills in the runtime
//                                            layer, spreads functions and flows over nested
//                                            stacks) and take back the root template
//   after:aws:deploy:deploy:uploadArtifacts  upload the nested templates beside the package,
//                                            and the layer zip under its content-hash key
//                                            unless it is there already

const fs = require('fs');
const path = require('path');
const { S3Client, PutObjectCommand, HeadObjectCommand } = require('@aws-sdk/client-s3');
const { render, finalize } = require('./sdw');

const SUMMARY = 'sdw-finalize.json';

class SdwPlugin {
  constructor(serverless, options) {
    this.serverless = serverless;
    this.options = options;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      'before:aws:package:finalize:saveServiceState': () => this.finalize(),
      'after:aws:deploy:deploy:uploadArtifacts': () => this.upload(),
    };
  }

  packageDir() {
    const dir = this.options.package || this.serverless.service.package.path || '.serverless';
    return path.resolve(this.serverless.serviceDir, dir);
  }

  finalize() {
    const stage = this.provider.getStage();
    const sections = render(stage);
    const provider = this.serverless.service.provider;
    const result = finalize(
      {
        template: provider.compiledCloudFormationTemplate,
        units: sections.units,
        artifactDirectory: this.serverless.service.package.artifactDirectoryName,
        service: sections.service,
        stage,
      },
      this.packageDir()
    );
    const template = provider.compiledCloudFormationTemplate;
    for (const key of Object.keys(template)) delete template[key];
    Object.assign(template, result.root);
    const summary = { nested: result.nested, layer: result.layer };
    fs.writeFileSync(path.join(this.packageDir(), SUMMARY), JSON.stringify(summary, null, 2));
  }

  async upload() {
    if (this.serverless.service.provider.shouldNotDeploy) return;
    const dir = this.packageDir();
    const summary = JSON.parse(fs.readFileSync(path.join(dir, SUMMARY), 'utf8'));
    const bucket = await this.provider.getServerlessDeploymentBucketName();
    const s3 = new S3Client(await this.provider.getAwsSdkV3Config());
    const prefix = this.serverless.service.package.artifactDirectoryName;
    for (const file of summary.nested) {
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: `${prefix}/${file}`,
          Body: fs.readFileSync(path.join(dir, file)),
          ContentType: 'application/json',
        })
      );
    }
    const layerKey = summary.layer.key;
    try {
      await s3.send(new HeadObjectCommand({ Bucket: bucket, Key: layerKey }));
    } catch (error) {
      if (!error.$metadata || error.$metadata.httpStatusCode !== 404) throw error;
      await s3.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: layerKey,
          Body: fs.readFileSync(path.join(dir, summary.layer.file)),
          ContentType: 'application/zip',
        })
      );
    }
  }
}

module.exports = SdwPlugin;
