/// The execution vocabulary (``ExecutionRecord``, ``ExecutionStatus``, ``ShapeCount``,
/// ``DocumentStatus``) is the store's record types; whoever imports the store has them.
@_exported public import ExecutionModel
