process.stderr.write('churn-mlops: not built yet\n');
process.exitCode = 2;
