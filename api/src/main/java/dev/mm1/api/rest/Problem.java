package dev.mm1.api.rest;

/**
 * An RFC 9457 problem-details body ({@code application/problem+json}), the shape of every error.
 *
 * @param type URI naming the problem type (about:blank when no more specific one applies)
 * @param title short summary of the problem type
 * @param status HTTP status code
 * @param detail what went wrong this time, naming the field or value, and what is allowed
 * @param instance the request path
 */
public record Problem(String type, String title, int status, String detail, String instance) {}
