// ExecutionStore
