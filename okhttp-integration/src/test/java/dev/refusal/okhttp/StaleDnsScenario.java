package dev.refusal.okhttp;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.refusal.DiagnosedConnectException;
import dev.refusal.Diagnoser;
import dev.refusal.HostResolver;
import dev.refusal.RefusalGuard;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import okhttp3.Dns;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Runs in a child JVM inside the client host of a lab whose DNS responder answers NAME: resolves
 * NAME (the JVM caches the answer for 10 min), moves the lab's answer to NEW_ADDRESS, then makes
 * three GETs through an installed OkHttp client with {@link RefusalDns} over the system DNS.
 * Prints one JSON line with each call's outcome.
 *
 * <p>Arguments: NAME PORT CONTROL_FILE NEW_ADDRESS.
 */
public final class StaleDnsScenario {

  private StaleDnsScenario() {}

  public static void main(String[] args) throws Exception {
    String name = args[0];
    int port = Integer.parseInt(args[1]);
    InetAddress cached = InetAddress.getByName(name);
    Files.writeString(Path.of(args[2]), args[3], StandardCharsets.US_ASCII);
    HostResolver resolver = HostResolver.system();
    RefusalGuard guard = RefusalGuard.builder()
        .diagnoser(Diagnoser.builder().resolver(resolver).build()).build();
    OkHttpClient client = RefusalOkHttp.install(new OkHttpClient.Builder()
        .dns(RefusalDns.of(Dns.SYSTEM, resolver)), guard).build();
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("cached", cached.getHostAddress());
    for (int call = 1; call <= 3; call++) {
      String outcome;
      try (Response r = client.newCall(new Request.Builder()
          .url("http://" + name + ":" + port + "/").build()).execute()) {
        outcome = "HTTP " + r.code();
      } catch (DiagnosedConnectException e) {
        outcome = e.diagnosis().cause() + " (" + e.diagnosis().confidence() + "): "
            + e.getMessage();
      } catch (IOException e) {
        outcome = e.toString();
      }
      out.put("call" + call, outcome);
    }
    client.dispatcher().executorService().shutdown();
    System.out.println(new ObjectMapper().writeValueAsString(out));
  }
}
