/// The execution vocabulary (``ExecutionStatus``, ``ShapeCount``, ``DocumentStatus``,
/// ``ExecutionRecord``) is shared with the execution store; whoever imports the engine has it.
@_exported public import ExecutionModel
