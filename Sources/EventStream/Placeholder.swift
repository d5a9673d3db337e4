public enum EventStreamPlaceholder {}
