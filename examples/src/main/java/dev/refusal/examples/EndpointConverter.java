package dev.refusal.examples;

import dev.refusal.Endpoint;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a target with {@link Endpoint#parse}, whose messages name the bad part without repeating
 * user-info or a query.
 */
final class EndpointConverter implements ITypeConverter<Endpoint> {

  @Override
  public Endpoint convert(String text) {
    try {
      return Endpoint.parse(text);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }
}
