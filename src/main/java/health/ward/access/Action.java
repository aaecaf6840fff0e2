package health.ward.access;

/** What a principal wants to do with records. */
public enum Action { READ, SEARCH, CREATE, UPDATE, DELETE, HISTORY, TRANSACTION }
