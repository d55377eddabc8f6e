// DiskConnector
