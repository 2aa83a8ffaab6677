// Builds the README's first model in an application without a TorchSharp backend package (see the project file).
return SequenceKit.TestHost.FirstModel.Run();
